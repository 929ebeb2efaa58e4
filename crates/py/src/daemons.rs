//! Talking to a pool's daemons for `Collector`, `Schedd`, `send_command`:
//! one handle per daemon, over the `client` crate's blocking client.
//!
//! A daemon is found from a location ad's `MyAddress` (what
//! `Collector.locate()` returns), from an address (`unix:PATH`,
//! `tcp:HOST:PORT`, `HOST[:PORT]` for a collector), or, with neither, from
//! the configuration: the address files of this host's pool, or
//! `COLLECTOR_HOST`. Every call releases the GIL while it waits.

use classad::{ClassAd, Expr, Value};
use client::BlockingClient;
use proto::address::{Address, Daemon};
use proto::job::JobSpec;
use proto::schedd::{ActOutcome, ActRequest, EditRequest, JobAction, JobSelector, QueryLine, QueryRequest, SubmitRequest};
use proto::WireAd;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::py_classad;
use crate::param::{debug, Level};
use crate::submit::PySubmit;
use crate::HTCondorException;

/// The user running this process.
pub fn current_user() -> String {
    nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| nix::unistd::getuid().to_string())
}

fn daemon_of(kind: &str) -> PyResult<Daemon> {
    Daemon::from_name(kind).ok_or_else(|| PyValueError::new_err(format!("unknown daemon kind {kind:?}")))
}

fn client_err(what: &str, e: client::ClientError) -> PyErr {
    let text = match e.api() {
        Some(api) => match &api.hint {
            Some(h) => format!("{what}: {} ({h})", api.message),
            None => format!("{what}: {}", api.message),
        },
        None => format!("{what}: {e}"),
    };
    HTCondorException::new_err(text)
}

/// The address to use among a `MyAddress`'s addresses (or a single address).
fn parse_address(text: &str, kind: Daemon) -> PyResult<Address> {
    let text = text.trim().trim_matches('"');
    let addrs: Vec<Address> = text.split_whitespace().filter_map(|a| a.parse().ok()).collect();
    if let Some(a) = proto::collector::pick_address(&addrs, |p| p.exists()) {
        return Ok(a);
    }
    if kind == Daemon::Collector {
        if let Some(a) = daemon::locate::tcp_of_collector_host(text) {
            return Ok(a);
        }
    }
    Err(HTCondorException::new_err(format!(
        "cannot use the address {text:?} for the {}: expected unix:/path/to/socket or tcp:host:port{}",
        kind.name(),
        if kind == Daemon::Collector { " (or host[:port])" } else { "" }
    )))
}

/// Where `kind` runs according to the configuration.
fn configured_address(kind: Daemon) -> PyResult<Address> {
    let cfg = crate::param::config_snapshot()?;
    let settings = daemon::Settings::from_config(cfg);
    let found = if kind == Daemon::Collector {
        daemon::locate::collector_address(&settings)
    } else {
        daemon::locate::local_address(&settings, kind)
    };
    found.map_err(|e| HTCondorException::new_err(e.to_string()))
}

/// A connection to one daemon.
#[pyclass(module = "classad2._native", name = "_DaemonHandle")]
pub struct PyDaemon {
    client: BlockingClient,
    kind: Daemon,
}

fn wire_of(ad: &ClassAd) -> WireAd {
    WireAd(ad.iter_all().map(|(k, e)| (k.to_string(), e.to_old_string())).collect())
}

fn own_wire(ad: &ClassAd) -> WireAd {
    WireAd(ad.iter().map(|(k, e)| (k.to_string(), e.to_old_string())).collect())
}

fn ad_of(wire: &WireAd) -> ClassAd {
    let mut ad = ClassAd::new();
    for (k, v) in &wire.0 {
        ad.insert(k, Expr::parse_old(v).unwrap_or_else(|_| Expr::literal(Value::Error)));
    }
    ad
}

fn ads_to_py(py: Python<'_>, ads: Vec<ClassAd>) -> PyResult<Py<PyList>> {
    let out = PyList::empty_bound(py);
    for ad in ads {
        out.append(py_classad(py, ad)?)?;
    }
    Ok(out.unbind())
}

fn action_of(name: &str) -> PyResult<JobAction> {
    Ok(match name {
        "Hold" => JobAction::Hold,
        "Release" => JobAction::Release,
        "Remove" => JobAction::Remove,
        "RemoveX" => JobAction::RemoveX,
        "Vacate" => JobAction::Vacate,
        "VacateFast" => JobAction::VacateFast,
        "Suspend" => JobAction::Suspend,
        "Continue" => JobAction::Continue,
        other => return Err(PyValueError::new_err(format!("unknown job action {other}"))),
    })
}

fn selector(ids: Vec<String>, constraint: Option<String>) -> PyResult<JobSelector> {
    let ids = ids
        .iter()
        .map(|i| i.parse::<JobSpec>().map_err(|e| PyValueError::new_err(e.to_string())))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(JobSelector { ids, constraint, ..JobSelector::default() })
}

#[pymethods]
impl PyDaemon {
    /// Connect to a daemon of `kind` at `address` (a `MyAddress` value, an
    /// address) or, with none, where the configuration says.
    #[new]
    #[pyo3(signature = (kind, address = None))]
    fn new(kind: &str, address: Option<&str>) -> PyResult<PyDaemon> {
        let kind = daemon_of(kind)?;
        let addr = match address {
            Some(a) => parse_address(a, kind)?,
            None => configured_address(kind)?,
        };
        debug(Level::FullDebug, &format!("Connecting to the {} at {addr}", kind.name()));
        let client = BlockingClient::new(addr).map_err(|e| HTCondorException::new_err(format!("cannot start a client: {e}")))?;
        Ok(PyDaemon { client, kind })
    }

    fn address(&self) -> String {
        self.client.address().to_string()
    }

    /// Collector: ads of `ad_type` (`MyType`; None for all) matching `constraint`.
    #[pyo3(signature = (ad_type, constraint, projection, limit = None))]
    fn collector_query(
        &self,
        py: Python<'_>,
        ad_type: Option<String>,
        constraint: Option<String>,
        projection: Vec<String>,
        limit: Option<usize>,
    ) -> PyResult<Py<PyList>> {
        let q = proto::collector::AdQuery { ad_type, constraint, projection, limit };
        debug(Level::FullDebug, &format!("Querying the collector at {}: {q:?}", self.client.address()));
        let ads = py
            .allow_threads(|| client::collector::query_blocking(&self.client, &q))
            .map_err(|e| client_err("Failed to query the collector", e))?;
        ads_to_py(py, ads.iter().map(ad_of).collect())
    }

    /// Schedd: job ads (or, with `history`, ended jobs newest first).
    #[pyo3(signature = (constraint, projection, limit, owners, history))]
    fn schedd_query(
        &self,
        py: Python<'_>,
        constraint: Option<String>,
        projection: Vec<String>,
        limit: Option<usize>,
        owners: Vec<String>,
        history: bool,
    ) -> PyResult<Py<PyList>> {
        let req = QueryRequest {
            select: JobSelector { constraint, owners, ..JobSelector::default() },
            projection,
            limit,
            ..QueryRequest::default()
        };
        let mut ads = Vec::new();
        let mut failure = None;
        let res = py.allow_threads(|| {
            let each = |line: QueryLine| match line {
                QueryLine::Ad(w) => {
                    ads.push(ad_of(&w));
                    true
                }
                QueryLine::Summary(_) => true,
                QueryLine::Error(e) => {
                    failure = Some(e);
                    false
                }
            };
            if history {
                client::schedd::history_each_blocking(&self.client, &req, each)
            } else {
                client::schedd::query_each_blocking(&self.client, &req, each)
            }
        });
        res.map_err(|e| client_err("Failed to query the schedd", e))?;
        if let Some(e) = failure {
            return Err(client_err("The schedd's answer ended early", client::ClientError::Api(e)));
        }
        ads_to_py(py, ads)
    }

    /// Schedd: hold/release/remove/... jobs; the answer counts what happened.
    #[pyo3(signature = (action, ids, constraint, reason = None))]
    fn schedd_act(
        &self,
        py: Python<'_>,
        action: &str,
        ids: Vec<String>,
        constraint: Option<String>,
        reason: Option<String>,
    ) -> PyResult<PyObject> {
        let req = ActRequest { action: action_of(action)?, select: selector(ids, constraint)?, reason, reason_code: None };
        let r = py.allow_threads(|| client::schedd::act_blocking(&self.client, &req)).map_err(|e| client_err("Failed to act on the jobs", e))?;
        let n = |o: ActOutcome| r.results.iter().filter(|(_, x)| *x == o).count() as i64;
        let mut ad = ClassAd::new();
        ad.insert_value("TotalAlreadyDone", Value::Int(n(ActOutcome::AlreadyDone)));
        ad.insert_value("TotalBadStatus", Value::Int(n(ActOutcome::BadStatus)));
        ad.insert_value("TotalChangedAds", Value::Int(n(ActOutcome::Done)));
        ad.insert_value("TotalError", Value::Int(0));
        ad.insert_value("TotalJobAds", Value::Int(r.results.len() as i64));
        ad.insert_value("TotalNotFound", Value::Int(n(ActOutcome::NotFound) + r.not_found.len() as i64));
        ad.insert_value("TotalPermissionDenied", Value::Int(n(ActOutcome::PermissionDenied)));
        ad.insert_value("TotalSuccess", Value::Int(n(ActOutcome::Done)));
        py_classad(py, ad)
    }

    /// Schedd: set `attr` to the expression `value` in the selected jobs.
    #[pyo3(signature = (ids, constraint, attr, value))]
    fn schedd_edit(&self, py: Python<'_>, ids: Vec<String>, constraint: Option<String>, attr: String, value: String) -> PyResult<usize> {
        Expr::parse_old(&value).map_err(|e| {
            HTCondorException::new_err(format!("Failed to set {attr}: {value:?} is not a ClassAd expression: {e} (strings need quotes: '\"text\"')"))
        })?;
        let req = EditRequest { select: selector(ids, constraint)?, attr: attr.clone(), value };
        let r = py.allow_threads(|| client::schedd::edit_blocking(&self.client, &req)).map_err(|e| client_err(&format!("Failed to set {attr}"), e))?;
        if r.edited.is_empty() && !r.denied.is_empty() {
            return Err(HTCondorException::new_err(format!(
                "Failed to set {attr}: permission denied for job(s) {}",
                r.denied.iter().map(|j| j.to_string()).collect::<Vec<_>>().join(", ")
            )));
        }
        Ok(r.edited.len())
    }

    /// Schedd: queue the jobs of `submit`; answers (cluster, first proc,
    /// number of procs, cluster ad, proc ads).
    #[pyo3(signature = (submit, count, spool, itemdata))]
    fn schedd_submit(
        &self,
        py: Python<'_>,
        submit: &PySubmit,
        count: i64,
        spool: bool,
        itemdata: Option<Vec<Bound<'_, PyAny>>>,
    ) -> PyResult<(i64, i64, i64, PyObject, Py<PyList>)> {
        let rows = crate::submit::rows_from_py(itemdata)?;
        let cluster = py
            .allow_threads(|| client::schedd::new_cluster_blocking(&self.client))
            .map_err(|e| client_err("Failed to get a new cluster id from the schedd", e))?
            .cluster;
        let built = submit.build(count, rows.as_ref(), cluster, spool)?;
        let Some(cad) = built.clusters.iter().find(|c| c.id == cluster) else {
            return Err(HTCondorException::new_err("the submit description queued no jobs"));
        };
        let procs: Vec<_> = built.procs.iter().filter(|p| p.cluster == cluster).collect();
        if procs.is_empty() {
            return Err(HTCondorException::new_err("the submit description queued no jobs"));
        }
        let req = SubmitRequest { cluster, cluster_ad: wire_of(&cad.ad), procs: procs.iter().map(|p| own_wire(&p.ad)).collect(), factory: None };
        let answer = py
            .allow_threads(|| client::schedd::submit_blocking(&self.client, &req))
            .map_err(|e| client_err("Failed to queue the jobs", e))?;
        debug(Level::FullDebug, &format!("Submitted {} job(s) to cluster {}", answer.num_procs, answer.cluster));
        let proc_ads = PyList::empty_bound(py);
        for p in &procs {
            proc_ads.append(py_classad(py, p.ad.flattened())?)?;
        }
        Ok((answer.cluster, answer.first_proc, answer.num_procs, py_classad(py, (*cad.ad).clone())?, proc_ads.unbind()))
    }

    fn schedd_reschedule(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| client::schedd::reschedule_blocking(&self.client)).map_err(|e| client_err("Failed to reschedule", e))
    }

    /// Negotiator: every submitter's accounting record (`getPriorities`).
    #[pyo3(signature = (all))]
    fn negotiator_priorities(&self, py: Python<'_>, all: bool) -> PyResult<Py<PyList>> {
        self.expect(Daemon::Negotiator)?;
        let q = proto::negotiator::PrioritiesQuery { all };
        let p: proto::negotiator::Priorities = py
            .allow_threads(|| self.client.post("/v1/negotiator/priorities", &q))
            .map_err(|e| client_err("Failed to get the priorities from the negotiator", e))?;
        ads_to_py(py, p.submitters.iter().map(priority_ad).collect())
    }

    /// Negotiator: change a submitter's record (`setFactor`, `setPriority`,
    /// `setUsage`, `resetUsage`, `resetAllUsage`, `deleteUser`).
    #[pyo3(signature = (what, name, value))]
    fn negotiator_edit(&self, py: Python<'_>, what: &str, name: String, value: f64) -> PyResult<()> {
        use proto::negotiator::PriorityEdit;
        self.expect(Daemon::Negotiator)?;
        let edit = match what {
            "factor" => PriorityEdit::SetFactor { name, factor: value },
            "priority" => PriorityEdit::SetPriority { name, priority: value },
            "usage" => PriorityEdit::SetAccumulated { name, usage: value },
            "reset" => PriorityEdit::ResetUsage { name },
            "reset_all" => PriorityEdit::ResetAllUsage,
            "delete" => PriorityEdit::Delete { name },
            other => return Err(PyValueError::new_err(format!("unknown priority change {other}"))),
        };
        py.allow_threads(|| self.client.post::<_, proto::negotiator::Priorities>("/v1/negotiator/priorities/edit", &edit))
            .map(|_| ())
            .map_err(|e| client_err("The negotiator refused the change", e))
    }

    /// Collector: store or replace ads (each needs `MyType` and `Name`).
    fn collector_advertise(&self, py: Python<'_>, ads: Vec<PyRef<'_, crate::ad::PyAdHandle>>) -> PyResult<()> {
        self.expect(Daemon::Collector)?;
        let req = proto::collector::Advertise { ads: ads.iter().map(|a| wire_of(&a.ad)).collect() };
        py.allow_threads(|| client::collector::advertise_blocking(&self.client, &req))
            .map(|_| ())
            .map_err(|e| client_err("Failed to advertise to the collector", e))
    }

    /// True when this daemon is reached through a Unix socket (same host).
    fn is_local(&self) -> bool {
        matches!(self.client.address(), Address::Unix(_))
    }

    /// Master: stop daemons (all and then itself when `daemons` is empty).
    #[pyo3(signature = (daemons, fast))]
    fn master_off(&self, py: Python<'_>, daemons: Vec<String>, fast: bool) -> PyResult<()> {
        self.expect(Daemon::Master)?;
        let req = proto::master::Off { daemons, fast };
        py.allow_threads(|| self.client.post::<_, proto::master::MasterStatus>("/v1/master/off", &req))
            .map(|_| ())
            .map_err(|e| client_err("Failed to send the command to the master", e))
    }

    /// Master: start daemons turned off, or restart running ones.
    #[pyo3(signature = (daemons, restart))]
    fn master_on(&self, py: Python<'_>, daemons: Vec<String>, restart: bool) -> PyResult<()> {
        self.expect(Daemon::Master)?;
        let req = proto::master::On { daemons, restart };
        py.allow_threads(|| self.client.post::<_, proto::master::MasterStatus>("/v1/master/on", &req))
            .map(|_| ())
            .map_err(|e| client_err("Failed to send the command to the master", e))
    }
}

impl PyDaemon {
    fn expect(&self, kind: Daemon) -> PyResult<()> {
        if self.kind == kind {
            Ok(())
        } else {
            Err(HTCondorException::new_err(format!("this command goes to the {}, not the {}", kind.name(), self.kind.name())))
        }
    }
}

/// A submitter's record as HTCondor's accountant ad names it.
fn priority_ad(p: &proto::negotiator::SubmitterPriority) -> ClassAd {
    let mut ad = ClassAd::new();
    ad.insert_value("Name", Value::string(&p.name));
    ad.insert_value("Priority", Value::Real(p.real_priority));
    ad.insert_value("PriorityFactor", Value::Real(p.priority_factor));
    ad.insert_value("EffectivePriority", Value::Real(p.effective_priority));
    ad.insert_value("ResourcesUsed", Value::Int(p.resources_used as i64));
    ad.insert_value("WeightedResourcesUsed", Value::Real(p.weighted_resources_used));
    ad.insert_value("AccumulatedUsage", Value::Real(p.accumulated_usage));
    ad.insert_value("WeightedAccumulatedUsage", Value::Real(p.weighted_accumulated_usage));
    ad.insert_value("BeginUsageTime", Value::Int(p.begin_usage_time));
    ad.insert_value("LastUsageTime", Value::Int(p.last_usage_time));
    ad.insert_value("IsAccountingGroup", Value::Bool(false));
    ad.insert_value("AccountingGroup", Value::string(&p.name));
    ad
}

#[pyfunction]
fn _current_user() -> String {
    current_user()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDaemon>()?;
    m.add_function(wrap_pyfunction!(_current_user, m)?)?;
    Ok(())
}
