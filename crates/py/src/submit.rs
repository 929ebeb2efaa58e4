//! The handle behind `htcondor2.Submit`, over `submit::Submit`.
//!
//! The Python class keeps the commands; this handle answers `expand()`,
//! `itemdata()`, `getQArgs()`/`setQArgs()`, and builds the job ads a
//! submit sends (`build_jobs`, used by `Schedd.submit()` and `jobs()`).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use submit::python::ItemData;
use submit::submission::{ClusterAd, ProcAd, SubmitOptions};
use submit::{BuildOptions, Params};

use crate::HTCondorException;

#[pyclass(module = "classad2._native", name = "_SubmitHandle")]
#[derive(Clone)]
pub struct PySubmit {
    pub inner: submit::Submit,
}

fn submit_err(e: impl std::fmt::Display) -> PyErr {
    HTCondorException::new_err(e.to_string().trim_end().to_string())
}

/// The jobs of one submit: the cluster ad and each proc's own attributes.
pub struct Built {
    pub clusters: Vec<ClusterAd>,
    pub procs: Vec<ProcAd>,
}

impl PySubmit {
    /// Build the job ads of this description with cluster ids from
    /// `first_cluster`: `count` jobs per item (0: as the queue statement
    /// says), `itemdata` replacing the statement's items.
    pub fn build(&self, count: i64, itemdata: Option<&ItemData>, first_cluster: i64, spool: bool) -> PyResult<Built> {
        let cfg = crate::param::config_snapshot()?;
        let cfg = Arc::new(cfg);
        let files = Arc::clone(&cfg);
        let params = Params::with_files(cfg, Arc::new(move |name: &str| files.defined_by_files(name)));
        let build = BuildOptions {
            base_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            environ: Arc::new(std::env::vars().collect()),
            user: crate::daemons::current_user(),
            submit_time: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0),
            spool,
            submit_method: Some(2),
            condor_version: daemon::version::condor_version_line(),
            condor_platform: daemon::version::condor_platform_line(),
            ..BuildOptions::default()
        };
        let opts = SubmitOptions { build, params, ..SubmitOptions::default() };
        let (sink, _report) = self.inner.jobs(count, itemdata, first_cluster, opts).map_err(|f| submit_err(failure_text(&f)))?;
        let mut clusters = sink.clusters;
        let mut procs = sink.procs;
        for f in sink.factories {
            // late materialization: every proc is made here, as condor_submit does
            let id = f.cluster.id;
            let cfg = crate::param::config_snapshot()?;
            let cfg = Arc::new(cfg);
            let files = Arc::clone(&cfg);
            let params = Params::with_files(cfg, Arc::new(move |name: &str| files.defined_by_files(name)));
            let mut m = f.factory.materializer(f.cluster.clone(), params);
            for n in 0..m.job_count() {
                procs.push(m.proc_ad(n).map_err(|e| submit_err(format!("making proc {id}.{n}: {e}")))?);
            }
            clusters.push(f.cluster);
        }
        Ok(Built { clusters, procs })
    }
}

fn failure_text(f: &submit::SubmitFailure) -> String {
    f.to_string()
}

fn rows_of(itemdata: Option<Vec<Bound<'_, PyAny>>>) -> PyResult<Option<ItemData>> {
    let Some(items) = itemdata else { return Ok(None) };
    let mut rows = Vec::with_capacity(items.len());
    for item in items {
        let mut row = BTreeMap::new();
        if let Ok(d) = item.downcast::<PyDict>() {
            for (k, v) in d.iter() {
                row.insert(k.str()?.to_cow()?.into_owned(), v.str()?.to_cow()?.into_owned());
            }
        } else {
            row.insert("Item".to_string(), item.str()?.to_cow()?.into_owned());
        }
        rows.push(row);
    }
    Ok(Some(rows))
}

#[pymethods]
impl PySubmit {
    #[new]
    fn new() -> PySubmit {
        PySubmit { inner: submit::Submit::default() }
    }

    #[staticmethod]
    fn from_description(text: &str) -> PyResult<PySubmit> {
        submit::Submit::from_description(text).map(|inner| PySubmit { inner }).map_err(submit_err)
    }

    fn get(&self, key: &str) -> Option<String> {
        self.inner.get(key).map(str::to_string)
    }

    fn set(&mut self, key: &str, value: &str) {
        self.inner.set(key, value)
    }

    fn remove(&mut self, key: &str) -> Option<String> {
        self.inner.remove(key)
    }

    fn keys(&self) -> Vec<String> {
        self.inner.keys().map(str::to_string).collect()
    }

    fn qargs(&self) -> String {
        self.inner.queue_args().to_string()
    }

    fn set_qargs(&mut self, args: &str) -> PyResult<()> {
        self.inner.set_queue_args(args).map_err(submit_err)
    }

    fn expand(&self, key: &str) -> PyResult<String> {
        self.inner.expand(key).map_err(submit_err)
    }

    /// The queue statement's items: a list of dicts (one per row), or None.
    fn itemdata(&self) -> PyResult<Option<Vec<BTreeMap<String, String>>>> {
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        self.inner.itemdata(&dir).map_err(submit_err)
    }

    fn description(&self) -> String {
        self.inner.to_description()
    }

    fn copy(&self) -> PySubmit {
        self.clone()
    }

    /// `jobs()`/`procs()`: the ads a submit would queue, as (cluster ad, [proc ads]).
    #[pyo3(signature = (count, itemdata, clusterid, procid, qdate, owner, whole))]
    #[allow(clippy::too_many_arguments)]
    fn jobs(
        &self,
        py: Python<'_>,
        count: i64,
        itemdata: Option<Vec<Bound<'_, PyAny>>>,
        clusterid: i64,
        procid: i64,
        qdate: i64,
        owner: &str,
        whole: bool,
    ) -> PyResult<Vec<PyObject>> {
        let rows = rows_of(itemdata)?;
        let built = self.build(count, rows.as_ref(), clusterid, false)?;
        let mut out = Vec::new();
        for p in built.procs {
            let mut ad = if whole { p.ad.flattened() } else { p.ad.clone() };
            if procid != 0 {
                ad.insert_value("ProcId", classad::Value::Int(p.proc + procid));
            }
            if qdate != 0 {
                ad.insert_value("QDate", classad::Value::Int(qdate));
            }
            if !owner.is_empty() {
                ad.insert_value("Owner", classad::Value::string(owner));
            }
            ad.unchain();
            out.push(crate::convert::py_classad(py, ad)?);
        }
        Ok(out)
    }
}

pub fn rows_from_py(itemdata: Option<Vec<Bound<'_, PyAny>>>) -> PyResult<Option<ItemData>> {
    rows_of(itemdata)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySubmit>()?;
    Ok(())
}
