//! Macro-F1 of a model on a labelled file, each paragraph scored on its own:
//! how `benches/README.md` shows what pruning features costs.
//!
//! ```text
//! cargo run --release --example accuracy -- MODEL ../shared/corpus/dev.jsonl
//! ```

use std::path::Path;

use newsbait::Model;
use newsbait::cli::metrics::ConfusionMatrix;
use newsbait::{OnInvalid, read_examples};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, data] = args.as_slice() else {
        return Err("usage: accuracy MODEL DATA.jsonl".into());
    };
    let model = Model::load(Path::new(model))?;
    let data = read_examples(Path::new(data), None, OnInvalid::Skip)?;
    let (truth, pred): (Vec<usize>, Vec<usize>) = data
        .examples
        .par_iter()
        .filter_map(|e| {
            let t = model.label_index(e.label.as_str())?;
            Some((t, model.predict(&e.text).label_index()))
        })
        .unzip();
    let cm = ConfusionMatrix::from_pairs(model.labels().len(), &truth, &pred);
    println!(
        "features {} macro-F1 {:.4} accuracy {:.4}",
        model.feature_count(),
        cm.macro_f1(),
        cm.accuracy()
    );
    Ok(())
}
