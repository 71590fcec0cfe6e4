//! `newsbait._newsbait`: the Rust half of the `newsbait` Python package.
//!
//! A thin layer over the library's facade: every method converts its Python
//! arguments, releases the GIL, runs the library inside this module's rayon
//! pool, and converts the answer back. The pure-Python half
//! (`python/newsbait/`) adds the conveniences (`load_model`, `train` over any
//! iterable, the datatrove and Spark integrations).
//!
//! Fork safety: the pool belongs to the process that built it. After a
//! `fork` (multiprocessing, Spark's Python workers, datatrove's local
//! executor) the child has the pool's data but none of its threads, so a job
//! sent to it would wait forever. Every call checks the process id and, in a
//! child, builds a fresh pool (the parent's is leaked, never touched). The
//! pool is only reached with the GIL held, and `fork` from Python happens
//! with the GIL held, so no thread of ours is inside the pool's lock then.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, mpsc};

use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PySlice, PyString, PyTuple, PyType};
use rayon::prelude::*;

#[cfg(feature = "counts")]
use newsbait::Counts;
use newsbait::{ClassWeight, Context, Example, LengthNorm, Model, OnInvalid, TrainParams, Variant};

/// fastText writes labels as `__label__name`; `predict` does the same.
const LABEL_PREFIX: &str = "__label__";

// ---------------------------------------------------------------- errors --

pyo3::create_exception!(
    newsbait,
    Error,
    PyValueError,
    "An error from newsbait: bad input, a damaged model, an invalid setting. \
     The message is the library's."
);

/// `newsbait.FileError(Error, OSError)`: a file could not be read or written.
static FILE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn file_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    FILE_ERROR
        .get_or_try_init(py, || -> PyResult<Py<PyType>> {
            let bases = PyTuple::new(
                py,
                [
                    py.get_type::<Error>().into_any(),
                    py.get_type::<PyOSError>().into_any(),
                ],
            )?;
            let namespace = PyDict::new(py);
            namespace.set_item("__module__", "newsbait")?;
            namespace.set_item(
                "__doc__",
                "A file could not be opened, read or written (a newsbait.Error and an OSError).",
            )?;
            let class = py
                .get_type::<PyType>()
                .call1(("FileError", bases, namespace))?
                .cast_into::<PyType>()?;
            Ok(class.unbind())
        })
        .map(|t| t.bind(py))
}

/// The library's error as a Python exception, with the library's message.
fn to_py_err(error: newsbait::Error) -> PyErr {
    let message = error.to_string();
    let is_file = matches!(
        error,
        newsbait::Error::Io { .. } | newsbait::Error::Write { .. }
    );
    Python::attach(|py| {
        if is_file {
            match file_error_type(py) {
                Ok(t) => PyErr::from_type(t.clone(), (message,)),
                Err(e) => e,
            }
        } else {
            Error::new_err(message)
        }
    })
}

/// Runs `work` without the GIL, inside the module's pool; a panic becomes a
/// `newsbait.Error` instead of taking the interpreter down.
fn run<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> Result<T, newsbait::Error> + Send,
) -> PyResult<T> {
    let pool = pool(py)?;
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(|| pool.install(work))));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(to_py_err(error)),
        Err(panic) => Err(Error::new_err(format!(
            "internal error in newsbait: {}",
            panic_message(panic)
        ))),
    }
}

// ------------------------------------------------------------------ pool --

struct Pool {
    pid: u32,
    pool: Arc<rayon::ThreadPool>,
}

/// The pool and the thread count asked for (0: rayon's default, which reads
/// `RAYON_NUM_THREADS` and else uses every core). Touched only with the GIL.
static POOL: Mutex<(Option<Pool>, usize)> = Mutex::new((None, 0));

fn pool(_py: Python<'_>) -> PyResult<Arc<rayon::ThreadPool>> {
    let mut guard = POOL.lock().unwrap_or_else(|p| p.into_inner());
    let pid = std::process::id();
    let threads = guard.1;
    if let Some(p) = &guard.0 {
        if p.pid == pid {
            return Ok(p.pool.clone());
        }
        // A forked child: the parent's threads are gone. Leak its pool
        // (dropping it would signal threads that do not exist).
        if let Some(old) = guard.0.take() {
            std::mem::forget(old);
        }
    }
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("newsbait-{i}"))
        .build()
        .map_err(|e| Error::new_err(format!("cannot start threads: {e}")))?;
    let built = Arc::new(built);
    guard.0 = Some(Pool {
        pid,
        pool: built.clone(),
    });
    Ok(built)
}

/// Sets the number of threads newsbait uses (0: every core, or
/// `RAYON_NUM_THREADS`). Results do not depend on it.
#[pyfunction]
fn set_num_threads(py: Python<'_>, threads: usize) -> PyResult<()> {
    {
        let mut guard = POOL.lock().unwrap_or_else(|p| p.into_inner());
        guard.1 = threads;
        guard.0 = None;
    }
    pool(py).map(|_| ())
}

/// The number of threads newsbait uses.
#[pyfunction]
fn get_num_threads(py: Python<'_>) -> PyResult<usize> {
    Ok(pool(py)?.current_num_threads())
}

// ----------------------------------------------------------------- input --

/// A page given as one string (split into paragraphs as the command line
/// does) or as a sequence of paragraphs.
fn page_of(page: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(text) = page.cast::<PyString>() {
        Ok(split(&text.to_cow()?))
    } else {
        strings(page, "a page (a string or a list of paragraph strings)")
    }
}

/// A sequence of strings; anything else is a TypeError naming `what`.
fn strings(items: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if items.is_instance_of::<PyString>() || items.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(format!("expected {what}")));
    }
    let iter = items
        .try_iter()
        .map_err(|_| PyTypeError::new_err(format!("expected {what}, got {}", type_name(items))))?;
    let mut out = Vec::new();
    for item in iter {
        out.push(item_string(&item?, what)?);
    }
    Ok(out)
}

/// One item of a sequence of strings, copied out; anything else is a
/// TypeError naming `what` and the item's type.
fn item_string(item: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let s = item.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected {what}: found an item of type {}",
            type_name(item)
        ))
    })?;
    Ok(s.to_cow()?.into_owned())
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn context_of(context: bool) -> Context {
    if context { Context::Page } else { Context::Off }
}

/// The paragraphs of a page as the command line reads a plain-text page:
/// its non-empty lines, trimmed, without lines of only separators.
#[pyfunction]
fn paragraphs(text: String) -> Vec<String> {
    split(&text)
}

fn split(text: &str) -> Vec<String> {
    newsbait::split_paragraphs(text)
        .into_iter()
        .map(|p| p.text.into())
        .collect()
}

/// An HTML page from Python: raw bytes (charset to detect) or decoded text.
enum Html {
    Bytes(Vec<u8>),
    Text(String),
}

fn html_of(page: &Bound<'_, PyAny>) -> PyResult<Html> {
    if let Ok(text) = page.cast::<PyString>() {
        Ok(Html::Text(text.to_cow()?.into_owned()))
    } else if let Ok(bytes) = page.cast::<PyBytes>() {
        Ok(Html::Bytes(bytes.as_bytes().to_vec()))
    } else {
        Err(PyTypeError::new_err(format!(
            "expected an HTML page (str or bytes), got {}",
            type_name(page)
        )))
    }
}

/// The kept blocks of an HTML page, cut with the command line's limits;
/// `name` names the page in errors.
fn clean_html_page(
    model: &Model,
    name: &str,
    html: &Html,
    keep: &str,
    context: Context,
) -> Result<String, newsbait::Error> {
    let options = newsbait::HtmlOptions::default();
    let page = match html {
        Html::Text(text) => newsbait::HtmlPage::parse_str(text, &options),
        Html::Bytes(bytes) => {
            newsbait::HtmlPage::parse_with(bytes, &options).map_err(|e| newsbait::Error::Parse {
                path: name.into(),
                line: 1,
                message: e.to_string(),
            })?
        }
    };
    model.clean_html(&page, keep, context)
}

// ----------------------------------------------------------------- model --

/// A trained newsbait classifier. Load one with ``newsbait.load_model``.
#[pyclass(name = "Model", module = "newsbait", frozen)]
struct PyModel {
    inner: Arc<Model>,
    /// Bare label names, as Python strings.
    names: Vec<Py<PyString>>,
    /// `__label__name`, as Python strings (for `predict`).
    prefixed: Vec<Py<PyString>>,
}

impl PyModel {
    fn wrap(py: Python<'_>, model: Model) -> PyModel {
        let labels: Vec<String> = model
            .labels()
            .iter()
            .map(|l| l.as_str().to_owned())
            .collect();
        PyModel {
            names: labels
                .iter()
                .map(|l| PyString::new(py, l).unbind())
                .collect(),
            prefixed: labels
                .iter()
                .map(|l| PyString::new(py, &format!("{LABEL_PREFIX}{l}")).unbind())
                .collect(),
            inner: Arc::new(model),
        }
    }

    fn label_index(&self, keep: &str) -> PyResult<usize> {
        let keep = keep.strip_prefix(LABEL_PREFIX).unwrap_or(keep);
        self.inner
            .labels()
            .iter()
            .position(|l| l.as_str() == keep)
            .ok_or_else(|| {
                let known: Vec<&str> = self.inner.labels().iter().map(|l| l.as_str()).collect();
                Error::new_err(format!(
                    "unknown label {keep:?}: this model's labels are {}",
                    known.join(", ")
                ))
            })
    }

    fn paragraph(&self, py: Python<'_>, text: String, probs: &[f64]) -> Paragraph {
        let best = argmax(probs);
        let probabilities = PyDict::new(py);
        for (name, p) in self.names.iter().zip(probs) {
            // A dict of floats cannot fail to take a str key.
            let _ = probabilities.set_item(name.bind(py), *p);
        }
        Paragraph {
            text,
            label: self.names[best].clone_ref(py),
            probability: probs[best],
            probabilities: probabilities.unbind(),
        }
    }
}

/// Paragraphs per job of `predict` over a list. The calling thread converts
/// the strings of one chunk while the pool scores the chunks before it, and
/// builds the answer of a chunk while the pool scores the chunks after it.
const CHUNK: usize = 1024;

/// One chunk's probabilities, `classes` values a paragraph, or the message of
/// a panic while scoring it.
type Scored = (usize, Result<Vec<f64>, String>);

impl PyModel {
    /// `predict` over a sequence or iterable of strings: lists of labels and
    /// of probability arrays, one each per string, in order.
    fn predict_many<'py>(
        &self,
        py: Python<'py>,
        items: &Bound<'py, PyAny>,
        k: i64,
        threshold: f64,
    ) -> PyResult<Bound<'py, PyTuple>> {
        const WHAT: &str = "a string or a list of strings";
        if items.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(format!("expected {WHAT}, got bytes")));
        }
        let iter = items.try_iter().map_err(|_| {
            PyTypeError::new_err(format!("expected {WHAT}, got {}", type_name(items)))
        })?;
        let pool = pool(py)?;
        let classes = self.names.len();
        let (tx, rx) = mpsc::channel::<Scored>();
        let rx = Mutex::new(rx);
        let mut labels: Vec<Bound<'py, PyAny>> = Vec::new();
        let mut values: Vec<f64> = Vec::new();
        let mut widths: Vec<usize> = Vec::new();
        // Building a list per paragraph would run Python's cyclic garbage
        // collector every few hundred of them, over every object the program
        // holds; these lists hold only strings and cannot form cycles.
        let _gc = GcPause::new(py)?;
        pool.in_place_scope(|scope| -> PyResult<()> {
            let mut chunks = 0;
            let mut chunk = Vec::with_capacity(CHUNK);
            let mut send = |chunk: Vec<String>| {
                let (tx, model, index) = (tx.clone(), self.inner.clone(), chunks);
                chunks += 1;
                scope.spawn(move |_| {
                    let scored = catch_unwind(AssertUnwindSafe(|| {
                        let mut out = Vec::with_capacity(chunk.len() * classes);
                        for text in &chunk {
                            out.extend_from_slice(model.predict(text).probabilities());
                        }
                        out
                    }))
                    .map_err(panic_message);
                    // The receiver outlives the scope: sending cannot fail.
                    let _ = tx.send((index, scored));
                });
            };
            for item in iter {
                chunk.push(item_string(&item?, WHAT)?);
                if chunk.len() == CHUNK {
                    send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)));
                }
            }
            if !chunk.is_empty() {
                send(chunk);
            }
            // The answers in order, each built as soon as its chunk is scored.
            let mut done: Vec<Option<Vec<f64>>> = vec![None; chunks];
            for next in 0..chunks {
                while done[next].is_none() {
                    let (index, scored) = py
                        .detach(|| rx.lock().unwrap_or_else(|p| p.into_inner()).recv())
                        .map_err(|_| {
                            Error::new_err("internal error in newsbait: a scoring job vanished")
                        })?;
                    let scored = scored.map_err(|what| {
                        Error::new_err(format!("internal error in newsbait: {what}"))
                    })?;
                    done[index] = Some(scored);
                }
                let scored = done[next].take().unwrap_or_default();
                for probs in scored.chunks_exact(classes) {
                    let chosen = top_k(probs, k, threshold);
                    let row = chosen.iter().map(|&i| self.prefixed[i].bind(py));
                    labels.push(PyList::new(py, row)?.into_any());
                    values.extend(chosen.iter().map(|&i| probs[i]));
                    widths.push(chosen.len());
                }
            }
            Ok(())
        })?;
        let arrays = float_rows(py, &values, &widths)?;
        PyTuple::new(py, [PyList::new(py, labels)?.into_any(), arrays.into_any()])
    }
}

/// Python's cyclic garbage collector switched off until the value is dropped
/// (and only if it was on).
struct GcPause<'py> {
    gc: Option<Bound<'py, PyModule>>,
}

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<GcPause<'py>> {
        let gc = py.import("gc")?;
        if gc.call_method0("isenabled")?.is_truthy()? {
            gc.call_method0("disable")?;
            Ok(GcPause { gc: Some(gc) })
        } else {
            Ok(GcPause { gc: None })
        }
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.gc {
            // Nothing to report from a destructor; `gc.enable` does not fail.
            let _ = gc.call_method0("enable");
        }
    }
}

/// A list with one float64 array per row, `widths[i]` values each, taken in
/// order from `values`: views of one array made in a single copy, not an
/// array built from a Python list per row. Tuples when numpy is missing.
fn float_rows<'py>(
    py: Python<'py>,
    values: &[f64],
    widths: &[usize],
) -> PyResult<Bound<'py, PyList>> {
    let Ok(numpy) = py.import("numpy") else {
        let mut rest = values;
        return PyList::new(
            py,
            widths
                .iter()
                .map(|&w| {
                    let (row, tail) = rest.split_at(w);
                    rest = tail;
                    PyTuple::new(py, row)
                })
                .collect::<PyResult<Vec<_>>>()?,
        );
    };
    let bytes = PyBytes::new_with(py, values.len() * 8, |buf| {
        for (out, v) in buf.chunks_exact_mut(8).zip(values) {
            out.copy_from_slice(&v.to_ne_bytes());
        }
        Ok(())
    })?;
    // A copy, so that the arrays are writable as numpy.array's are.
    let flat = numpy
        .call_method1("frombuffer", (bytes, "float64"))?
        .call_method0("copy")?;
    let width = widths.first().copied().unwrap_or(0);
    if widths.iter().all(|&w| w == width) {
        let table = flat.call_method1("reshape", ((widths.len(), width),))?;
        return py
            .get_type::<PyList>()
            .call1((table,))?
            .cast_into::<PyList>()
            .map_err(Into::into);
    }
    let mut start = 0;
    let rows = widths.iter().map(|&w| {
        let row = flat.get_item(PySlice::new(py, start as isize, (start + w) as isize, 1));
        start += w;
        row
    });
    PyList::new(py, rows.collect::<PyResult<Vec<_>>>()?)
}

fn panic_message(panic: Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown panic".into())
}

fn argmax(probs: &[f64]) -> usize {
    let mut best = 0;
    for (i, p) in probs.iter().enumerate() {
        if *p > probs[best] {
            best = i;
        }
    }
    best
}

/// The labels of the top `k` probabilities at or above `threshold`, most
/// probable first (ties in label order), as fastText's `predict` picks them.
fn top_k(probs: &[f64], k: i64, threshold: f64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probs.len())
        .filter(|&i| probs[i] >= threshold)
        .collect();
    order.sort_by(|&a, &b| probs[b].total_cmp(&probs[a]).then(a.cmp(&b)));
    if k >= 0 {
        order.truncate(k as usize);
    }
    order
}

static NUMPY_ARRAY: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `numpy.array(values)` (float64), or a tuple when numpy is not installed.
fn float_array<'py>(py: Python<'py>, values: Vec<f64>) -> PyResult<Bound<'py, PyAny>> {
    let array = NUMPY_ARRAY.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("numpy")?.getattr("array")?.unbind())
    });
    match array {
        Ok(array) => array.bind(py).call1((values, "float64")),
        Err(_) => Ok(PyTuple::new(py, values)?.into_any()),
    }
}

#[pymethods]
impl PyModel {
    /// The model built into the package (the shipped model).
    #[staticmethod]
    fn shipped(py: Python<'_>) -> PyResult<PyModel> {
        let model = run(py, Model::shipped)?;
        Ok(PyModel::wrap(py, model))
    }

    /// Loads a model file written by ``Model.save`` or ``newsbait-train``.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
        let model = run(py, move || Model::load(&path))?;
        Ok(PyModel::wrap(py, model))
    }

    /// A model from the bytes of a model file (``Model.to_bytes``).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyModel> {
        let data = data.to_vec();
        let model = run(py, move || Model::from_bytes(&data))?;
        Ok(PyModel::wrap(py, model))
    }

    /// The bytes of the model file (versioned and checksummed).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let model = self.inner.clone();
        let bytes = run(py, move || Ok(model.to_bytes()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Writes the model to ``path`` (atomically: a complete file or none).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let model = self.inner.clone();
        run(py, move || model.save(&path))
    }

    /// The labels, in the order of every probability vector (bare names such as
    /// ``"news"``, without fastText's ``__label__`` prefix).
    #[getter]
    fn labels<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, self.names.iter().map(|n| n.clone_ref(py)))
    }

    /// Labels and probabilities of paragraphs, scored one by one (no page
    /// context), in the shape of fastText's ``predict``: for a string a tuple
    /// of labels and an array, for any other iterable of strings a list of
    /// label lists and a list of arrays. A long list is scored in parallel,
    /// in chunks, while the strings are still being read; the answers do not
    /// depend on the number of threads.
    #[pyo3(signature = (text, k = 1, threshold = 0.0))]
    fn predict<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        k: i64,
        threshold: f64,
    ) -> PyResult<Bound<'py, PyTuple>> {
        if !text.is_instance_of::<PyString>() {
            return self.predict_many(py, text, k, threshold);
        }
        let text = text.cast::<PyString>()?.to_cow()?.into_owned();
        let model = self.inner.clone();
        let probs = run(py, move || {
            Ok(model.predict(&text).probabilities().to_vec())
        })?;
        let chosen = top_k(&probs, k, threshold);
        let labels = PyTuple::new(py, chosen.iter().map(|&i| self.prefixed[i].bind(py)))?;
        let values = float_array(py, chosen.iter().map(|&i| probs[i]).collect())?;
        PyTuple::new(py, [labels.into_any(), values])
    }

    /// Labels the paragraphs of one page (a string, split into non-empty
    /// lines, or a list of paragraphs), with page context unless
    /// ``context=False``: one ``Paragraph`` per paragraph, in order.
    #[pyo3(signature = (page, context = true))]
    fn classify_page(
        &self,
        py: Python<'_>,
        page: &Bound<'_, PyAny>,
        context: bool,
    ) -> PyResult<Vec<Paragraph>> {
        let paragraphs = page_of(page)?;
        let model = self.inner.clone();
        let (paragraphs, probs) = run(py, move || {
            let probs: Vec<Vec<f64>> = model
                .classify(&paragraphs, context_of(context))
                .iter()
                .map(|p| p.probabilities().to_vec())
                .collect();
            Ok((paragraphs, probs))
        })?;
        Ok(paragraphs
            .into_iter()
            .zip(&probs)
            .map(|(text, p)| self.paragraph(py, text, p))
            .collect())
    }

    /// ``classify_page`` over many pages, in parallel; one list per page.
    #[pyo3(signature = (pages, context = true))]
    fn classify_pages(
        &self,
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        context: bool,
    ) -> PyResult<Vec<Vec<Paragraph>>> {
        let pages: Vec<Vec<String>> = pages
            .try_iter()?
            .map(|p| page_of(&p?))
            .collect::<PyResult<_>>()?;
        let model = self.inner.clone();
        let (pages, probs) = run(py, move || {
            let probs: Vec<Vec<Vec<f64>>> = model
                .classify_batch(&pages, context_of(context))
                .iter()
                .map(|page| page.iter().map(|p| p.probabilities().to_vec()).collect())
                .collect();
            Ok((pages, probs))
        })?;
        Ok(pages
            .into_iter()
            .zip(&probs)
            .map(|(page, probs)| {
                page.into_iter()
                    .zip(probs)
                    .map(|(text, p)| self.paragraph(py, text, p))
                    .collect()
            })
            .collect())
    }

    /// The page with only its ``keep`` paragraphs, in order, one a line (what
    /// ``newsbait-classify --keep`` writes).
    #[pyo3(signature = (page, keep = "news".to_string(), context = true))]
    fn clean(
        &self,
        py: Python<'_>,
        page: &Bound<'_, PyAny>,
        keep: String,
        context: bool,
    ) -> PyResult<String> {
        self.label_index(&keep)?;
        let text = if let Ok(s) = page.cast::<PyString>() {
            s.to_cow()?.into_owned()
        } else {
            strings(page, "a page (a string or a list of paragraph strings)")?.join("\n")
        };
        let keep = keep.strip_prefix(LABEL_PREFIX).unwrap_or(&keep).to_owned();
        let model = self.inner.clone();
        run(py, move || model.clean(&text, &keep, context_of(context)))
    }

    /// ``clean`` over many pages (strings), in parallel; one string per page.
    #[pyo3(signature = (pages, keep = "news".to_string(), context = true))]
    fn clean_pages(
        &self,
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        keep: String,
        context: bool,
    ) -> PyResult<Vec<String>> {
        self.label_index(&keep)?;
        let pages = strings(pages, "a list of pages (strings)")?;
        let keep = keep.strip_prefix(LABEL_PREFIX).unwrap_or(&keep).to_owned();
        let model = self.inner.clone();
        run(py, move || {
            pages
                .par_iter()
                .map(|text| model.clean(text, &keep, context_of(context)))
                .collect()
        })
    }

    /// The HTML page ``html`` with only its ``keep`` paragraphs, in order, one
    /// a line: what ``newsbait-classify --keep`` writes for an ``.html`` file.
    /// The page is cut into blocks (``p``, ``div``, ``li``, ``h1``..., without
    /// scripts, styles and the head) as the command line cuts it. ``bytes``
    /// have their charset detected (byte order mark, ``<meta charset>``,
    /// UTF-8, else a guess); a ``str`` is taken as decoded. Pages beyond 8 MiB
    /// are cut there. Binary input is a ``newsbait.Error``.
    #[pyo3(signature = (html, keep = "news".to_string(), context = true))]
    fn clean_html(
        &self,
        py: Python<'_>,
        html: &Bound<'_, PyAny>,
        keep: String,
        context: bool,
    ) -> PyResult<String> {
        self.label_index(&keep)?;
        let html = html_of(html)?;
        let keep = keep.strip_prefix(LABEL_PREFIX).unwrap_or(&keep).to_owned();
        let model = self.inner.clone();
        run(py, move || {
            clean_html_page(&model, "<html page>", &html, &keep, context_of(context))
        })
    }

    /// ``clean_html`` over many pages (``str`` or ``bytes`` each), in parallel;
    /// one string per page.
    #[pyo3(signature = (pages, keep = "news".to_string(), context = true))]
    fn clean_html_pages(
        &self,
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        keep: String,
        context: bool,
    ) -> PyResult<Vec<String>> {
        self.label_index(&keep)?;
        let pages: Vec<Html> = pages
            .try_iter()
            .map_err(|_| PyTypeError::new_err("expected a list of HTML pages (str or bytes)"))?
            .map(|p| html_of(&p?))
            .collect::<PyResult<_>>()?;
        let keep = keep.strip_prefix(LABEL_PREFIX).unwrap_or(&keep).to_owned();
        let model = self.inner.clone();
        run(py, move || {
            pages
                .par_iter()
                .enumerate()
                .map(|(i, html)| {
                    let name = format!("<html page {i}>");
                    clean_html_page(&model, &name, html, &keep, context_of(context))
                })
                .collect()
        })
    }

    /// Pickles through the model's bytes, so that Spark, Ray and datatrove can
    /// ship a model to their workers.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let rebuild = py
            .import("newsbait._newsbait")?
            .getattr("_model_from_bytes")?;
        let bytes = self.to_bytes(py)?;
        PyTuple::new(py, [rebuild, PyTuple::new(py, [bytes])?.into_any()])
    }

    fn __repr__(&self) -> String {
        let labels: Vec<&str> = self.inner.labels().iter().map(|l| l.as_str()).collect();
        format!("<newsbait.Model labels={labels:?}>")
    }
}

/// Rebuilds a pickled model.
#[pyfunction]
fn _model_from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyModel> {
    PyModel::from_bytes(py, data)
}

/// One paragraph's label and probabilities.
#[pyclass(module = "newsbait", frozen, get_all)]
struct Paragraph {
    /// The paragraph's text.
    text: String,
    /// The most probable label (a bare name such as ``"news"``).
    label: Py<PyString>,
    /// The probability of ``label``.
    probability: f64,
    /// The probability of every label, by name; sums to 1.
    probabilities: Py<PyDict>,
}

#[pymethods]
impl Paragraph {
    fn __repr__(&self, py: Python<'_>) -> String {
        let mut text: String = self.text.chars().take(30).collect();
        if text.len() < self.text.len() {
            text.push('…');
        }
        format!(
            "Paragraph(label={:?}, probability={:.3}, text={:?})",
            self.label.bind(py).to_string(),
            self.probability,
            text
        )
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(other) = other.cast::<Paragraph>() else {
            return Ok(false);
        };
        let other = other.get();
        Ok(self.text == other.text
            && self.probability == other.probability
            && self.label.bind(py).as_any().eq(other.label.bind(py))?
            && self
                .probabilities
                .bind(py)
                .as_any()
                .eq(other.probabilities.bind(py))?)
    }
}

// -------------------------------------------------------------- training --

/// Training settings from Python keywords (the command line's flags, with
/// underscores); unknown names are a TypeError, values out of range are left
/// to `TrainParams::check`, which gives the library's message.
fn params_of(settings: Option<&Bound<'_, PyDict>>) -> PyResult<TrainParams> {
    let mut params = TrainParams::default();
    let Some(settings) = settings else {
        return Ok(params);
    };
    for (key, value) in settings.iter() {
        let key: String = key.extract()?;
        let text = || -> PyResult<String> { value.extract::<String>() };
        params = match key.as_str() {
            "alpha" => params.alpha(value.extract()?),
            "min_count" => params.min_count(value.extract()?),
            "max_features" => params.max_features(value.extract::<Option<usize>>()?),
            "bigrams" | "word_bigrams" => params.word_bigrams(value.extract()?),
            "char_ngrams" => params.char_ngrams(value.extract()?),
            "shape" => params.shape(value.extract()?),
            "shape_weight" => params.shape_weight(value.extract()?),
            "log_counts" => params.log_counts(value.extract()?),
            "length_norm" => params.length_norm(match text()?.as_str() {
                "none" => LengthNorm::None,
                "l1" => LengthNorm::L1,
                "l2" => LengthNorm::L2,
                other => {
                    return Err(setting_err(format!(
                        "length_norm must be \"none\", \"l1\" or \"l2\" (got {other:?})"
                    )));
                }
            }),
            "variant" => params.variant(match text()?.as_str() {
                "multinomial" => Variant::Multinomial,
                "complement" => Variant::Complement,
                other => {
                    return Err(setting_err(format!(
                        "variant must be \"multinomial\" or \"complement\" (got {other:?})"
                    )));
                }
            }),
            "class_weight" => {
                let spelled = if value.is_instance_of::<PyString>() {
                    text()?
                } else {
                    value.extract::<f64>()?.to_string()
                };
                params.class_weight(
                    spelled
                        .parse::<ClassWeight>()
                        .map_err(|e| setting_err(format!("class_weight: {e}")))?,
                )
            }
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "unexpected setting {key:?}; the settings are alpha, min_count, max_features, \
                     bigrams, char_ngrams, shape, shape_weight, log_counts, length_norm, variant, \
                     class_weight"
                )));
            }
        };
    }
    Ok(params)
}

/// An invalid setting, worded as the library words its own.
fn setting_err(message: String) -> PyErr {
    Error::new_err(format!("invalid setting: {message}"))
}

fn on_invalid_of(on_invalid: &str) -> PyResult<OnInvalid> {
    match on_invalid {
        "skip" => Ok(OnInvalid::Skip),
        "error" => Ok(OnInvalid::Error),
        other => Err(setting_err(format!(
            "on_invalid must be \"skip\" or \"error\" (got {other:?})"
        ))),
    }
}

/// Trains a model: on the file at ``path``, or on ``labels`` and ``texts``.
#[pyfunction]
#[pyo3(signature = (path = None, labels = None, texts = None, settings = None, on_invalid = "skip".to_string()))]
fn _train(
    py: Python<'_>,
    path: Option<PathBuf>,
    labels: Option<Vec<String>>,
    texts: Option<Vec<String>>,
    settings: Option<&Bound<'_, PyDict>>,
    on_invalid: String,
) -> PyResult<PyModel> {
    let data = TrainingData::of(path, labels, texts, settings, &on_invalid)?;
    let model = run(py, move || {
        data.with_examples(|params, examples| params.fit(examples))
    })?;
    Ok(PyModel::wrap(py, model))
}

/// What ``_train`` and ``_count`` read: settings checked, then the examples
/// of a file or of two lists.
struct TrainingData {
    params: TrainParams,
    path: Option<PathBuf>,
    labels: Option<Vec<String>>,
    texts: Option<Vec<String>>,
    on_invalid: OnInvalid,
}

impl TrainingData {
    /// The arguments as Python gave them, mapped to library types.
    fn of(
        path: Option<PathBuf>,
        labels: Option<Vec<String>>,
        texts: Option<Vec<String>>,
        settings: Option<&Bound<'_, PyDict>>,
        on_invalid: &str,
    ) -> PyResult<TrainingData> {
        Ok(TrainingData {
            params: params_of(settings)?,
            path,
            labels,
            texts,
            on_invalid: on_invalid_of(on_invalid)?,
        })
    }

    /// Checks the settings, reads the examples (from the file, JSONL, TSV or
    /// fastText by its name, or from the lists of labels and texts) and hands
    /// both to `work` (run inside [`run`], without the GIL). The settings are
    /// named after the file, as the command line names the model's training data.
    fn with_examples<T>(
        self,
        work: impl FnOnce(TrainParams, Vec<Example>) -> Result<T, newsbait::Error>,
    ) -> Result<T, newsbait::Error> {
        self.params.check()?;
        match self.path {
            Some(path) => {
                let data = newsbait::read_examples(&path, None, self.on_invalid)?;
                work(
                    self.params.source(path.display().to_string()),
                    data.examples,
                )
            }
            None => {
                let examples = (self.labels.unwrap_or_default().into_iter())
                    .zip(self.texts.unwrap_or_default())
                    .map(|(label, text)| Example::new(label, text))
                    .collect();
                work(self.params, examples)
            }
        }
    }
}

/// Training counts of one shard: mergeable sums that fit a model.
#[cfg(feature = "counts")]
#[pyclass(name = "Counts", module = "newsbait", frozen)]
struct PyCounts {
    inner: Arc<Counts>,
}

#[cfg(feature = "counts")]
#[pymethods]
impl PyCounts {
    /// Counts from the bytes of a counts file (``Counts.to_bytes``).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: Vec<u8>) -> PyResult<PyCounts> {
        let counts = run(py, move || Counts::from_bytes(&data))?;
        Ok(PyCounts {
            inner: Arc::new(counts),
        })
    }

    /// The bytes of a counts file (versioned and checksummed).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let counts = self.inner.clone();
        let bytes = run(py, move || Ok(counts.to_bytes()))?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// These counts followed by each of ``others``, in order, as new counts.
    /// Counts made with other settings or labels cannot be merged.
    fn merge(&self, py: Python<'_>, others: &Bound<'_, PyAny>) -> PyResult<PyCounts> {
        let mut parts: Vec<Arc<Counts>> = Vec::new();
        for other in others.try_iter()? {
            let other = other?;
            let other = other.cast::<PyCounts>().map_err(|_| {
                PyTypeError::new_err(format!("merge() takes Counts, got {}", type_name(&other)))
            })?;
            parts.push(other.get().inner.clone());
        }
        let first = self.inner.clone();
        let merged = run(py, move || {
            let mut merged = (*first).clone();
            for part in &parts {
                merged.merge(part)?;
            }
            Ok(merged)
        })?;
        Ok(PyCounts {
            inner: Arc::new(merged),
        })
    }

    /// Fits the model these counts give.
    fn fit(&self, py: Python<'_>) -> PyResult<PyModel> {
        let counts = self.inner.clone();
        let model = run(py, move || counts.fit())?;
        Ok(PyModel::wrap(py, model))
    }

    /// The number of training paragraphs counted.
    #[getter]
    fn examples(&self) -> usize {
        self.inner.examples()
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let rebuild = py
            .import("newsbait._newsbait")?
            .getattr("_counts_from_bytes")?;
        let bytes = self.to_bytes(py)?;
        PyTuple::new(py, [rebuild, PyTuple::new(py, [bytes])?.into_any()])
    }

    fn __repr__(&self) -> String {
        format!("<newsbait.Counts examples={}>", self.inner.examples())
    }
}

/// Rebuilds pickled counts.
#[cfg(feature = "counts")]
#[pyfunction]
fn _counts_from_bytes(py: Python<'_>, data: Vec<u8>) -> PyResult<PyCounts> {
    PyCounts::from_bytes(py, data)
}

/// Counts one shard: on the file at ``path``, or on ``labels`` and ``texts``.
#[cfg(feature = "counts")]
#[pyfunction]
#[pyo3(signature = (path = None, labels = None, texts = None, settings = None, on_invalid = "skip".to_string()))]
fn _count(
    py: Python<'_>,
    path: Option<PathBuf>,
    labels: Option<Vec<String>>,
    texts: Option<Vec<String>>,
    settings: Option<&Bound<'_, PyDict>>,
    on_invalid: String,
) -> PyResult<PyCounts> {
    let data = TrainingData::of(path, labels, texts, settings, &on_invalid)?;
    let counts = run(py, move || {
        data.with_examples(|params, examples| params.count(examples))
    })?;
    Ok(PyCounts {
        inner: Arc::new(counts),
    })
}

// ---------------------------------------------------------------- module --

#[pymodule]
fn _newsbait(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("Error", py.get_type::<Error>())?;
    m.add("FileError", file_error_type(py)?)?;
    m.add("LABEL_PREFIX", LABEL_PREFIX)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<PyModel>()?;
    m.add_class::<Paragraph>()?;
    m.add_function(wrap_pyfunction!(_model_from_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(_train, m)?)?;
    #[cfg(feature = "counts")]
    {
        m.add_class::<PyCounts>()?;
        m.add_function(wrap_pyfunction!(_counts_from_bytes, m)?)?;
        m.add_function(wrap_pyfunction!(_count, m)?)?;
    }
    m.add_function(wrap_pyfunction!(paragraphs, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    Ok(())
}
