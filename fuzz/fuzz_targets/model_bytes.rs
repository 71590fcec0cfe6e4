//! Model loading on arbitrary bytes: the raw bytes (header checks), and the
//! bytes as a payload behind a valid header and checksum (the decoder and the
//! shape checks). A model that loads must score text with finite
//! probabilities that sum to 1.
#![no_main]


use libfuzzer_sys::fuzz_target;
use newsbait::Model;
use newsbait::cli::frame;

fuzz_target!(|data: &[u8]| {
    let _ = Model::from_bytes(data);
    if let Ok(model) = Model::from_bytes(&frame(data)) {
        for text in ["国务院召开常务会议", "震惊!看完惊呆了", ""] {
            let p = model.predict(text);
            assert!(p.probabilities().iter().all(|x| x.is_finite()), "{:?}", p.probabilities());
            assert!((p.probabilities().iter().sum::<f64>() - 1.0).abs() < 1e-6, "{:?}", p.probabilities());
        }
        let doc = model.classify(&["推荐阅读", "国务院召开常务会议", "震惊"], newsbait::Context::Page);
        for p in doc {
            assert!(p.probabilities().iter().all(|x| x.is_finite()), "{:?}", p.probabilities());
        }
        let _ = model.explain("国务院召开常务会议", 0, 5);
    }
});
