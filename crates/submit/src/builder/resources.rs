//! Resource requests, the automatic `Requirements`, concurrency limits,
//! accounting groups and OAuth services.

use std::collections::BTreeMap;

use classad::{Expr, Value};

use super::{expr_refs, is_url, literal_number, universe, Job, Refs, Step};
use crate::units::{parse_bytes, KIB, MIB};

fn is_special_request(key: &str) -> Option<fn(&mut Job, &str) -> Step> {
    let k = key.to_ascii_lowercase();
    match k.as_str() {
        "request_cpus" | "request_cpu" => Some(set_request_cpus),
        "request_gpus" | "request_gpu" => Some(set_request_gpus),
        "request_disk" => Some(set_request_disk),
        "request_memory" => Some(set_request_mem),
        _ => None,
    }
}

/// The `request_*` names the defaults table always provides (so HTCondor
/// visits them while scanning the submit variables).
const DEFAULT_REQUEST_KEYS: [&str; 2] = ["Request_CPUs", "Request_Memory"];

pub(super) fn set_request_resources(job: &mut Job) -> Step {
    let mut keys: Vec<String> = job
        .hash
        .entries()
        .iter()
        .filter(|e| e.name.len() >= 8 && e.name[..8].eq_ignore_ascii_case("request_"))
        .map(|e| e.name.clone())
        .collect();
    for d in DEFAULT_REQUEST_KEYS {
        if !keys.iter().any(|k| k.eq_ignore_ascii_case(d)) {
            keys.push(d.to_string());
        }
    }
    keys.sort_by(|a, b| crate::hash::cmp_nocase(a, b));
    for key in &keys {
        if let Some(f) = is_special_request(key) {
            f(job, key)?;
            continue;
        }
        let rname = &key[8..];
        if rname.len() < 2 || rname.starts_with('_') || is_disallowed_request(key) {
            continue;
        }
        let val = job.param(key, None)?.unwrap_or_default();
        if val.starts_with('"') {
            job.st.string_request_resources.insert(rname.to_string());
        }
        let attr = format!("Request{rname}");
        job.set_expr(&attr, &val)?;
    }
    if !job.hash.has_with_defaults("request_gpus") {
        set_request_gpus(job, "request_gpus")?;
    }
    if !job.hash.has_with_defaults("request_disk") {
        set_request_disk(job, "request_disk")?;
    }
    Ok(())
}

fn is_disallowed_request(key: &str) -> bool {
    key.eq_ignore_ascii_case("request_gpu_memory") || key.eq_ignore_ascii_case("request_gpus_memory")
}

fn set_request_mem(job: &mut Job, _key: &str) -> Step {
    let mut mem = job.param("request_memory", Some("RequestMemory"))?;
    if mem.is_none() && !job.has("RequestMemory") && !job.st.foreign_cluster {
        if job.has("JobVMMemory") {
            job.warning("request_memory was NOT specified.  Using RequestMemory = MY.JobVMMemory\n");
            job.set_expr("RequestMemory", "MY.JobVMMemory")?;
        } else {
            mem = job.params.get("JOB_DEFAULT_REQUESTMEMORY");
        }
    }
    let Some(mem) = mem else { return Ok(()) };
    let missing = |level: &str| format!("\n{level}: request_memory={mem} defaults to megabytes, but {} contain a units suffix (i.e K, M, or B)\n", if level == "ERROR" { "must" } else { "should" });
    set_sized(job, "RequestMemory", &mem, MIB, missing)
}

/// A size request (`request_memory`, `request_disk`): a number with an
/// optional unit becomes an integer in `unit`s, anything else an
/// expression. `missing` words the complaint (`ERROR`/`WARNING`) when
/// `SUBMIT_REQUEST_MISSING_UNITS` asks for units and there are none.
fn set_sized(job: &mut Job, attr: &str, text: &str, unit: i64, missing: impl Fn(&str) -> String) -> Step {
    if let Some(q) = parse_bytes(text, unit) {
        if let Some(policy) = job.params.get("SUBMIT_REQUEST_MISSING_UNITS") {
            if q.unit.is_none() {
                if policy.eq_ignore_ascii_case("error") {
                    return job.error(missing("ERROR"));
                }
                job.warning(missing("WARNING"));
            }
        }
        job.set_int(attr, q.value);
    } else if !text.eq_ignore_ascii_case("undefined") {
        job.set_expr(attr, text)?;
    }
    Ok(())
}

fn set_request_disk(job: &mut Job, _key: &str) -> Step {
    let mut disk = job.param("request_disk", Some("RequestDisk"))?;
    if disk.is_none() && !job.has("RequestDisk") && !job.st.foreign_cluster {
        disk = job.params.get("JOB_DEFAULT_REQUESTDISK");
    }
    let Some(disk) = disk else { return Ok(()) };
    let missing = |level: &str| format!("\n{level}: request_disk={disk} defaults to kilobytes, {} contain a units suffix (i.e K, M, or B)\n", if level == "ERROR" { "must" } else { "should" });
    set_sized(job, "RequestDisk", &disk, KIB, missing)
}

fn set_request_cpus(job: &mut Job, key: &str) -> Step {
    if key.eq_ignore_ascii_case("request_cpu") || key.eq_ignore_ascii_case("RequestCpu") {
        job.warning(format!("{key} is not a valid submit keyword, did you mean request_cpus?\n"));
        return Ok(());
    }
    let mut cpus = job.param("request_cpus", Some("RequestCpus"))?;
    if cpus.is_none() && !job.has("RequestCpus") && !job.st.foreign_cluster {
        cpus = job.params.get("JOB_DEFAULT_REQUESTCPUS");
    }
    if let Some(c) = cpus {
        if !c.eq_ignore_ascii_case("undefined") {
            job.set_expr("RequestCpus", &c)?;
        }
    }
    Ok(())
}

fn set_request_gpus(job: &mut Job, key: &str) -> Step {
    if key.eq_ignore_ascii_case("request_gpu") || key.eq_ignore_ascii_case("RequestGpu") {
        job.warning(format!("{key} is not a valid submit keyword, did you mean request_gpus?\n"));
        return Ok(());
    }
    let mut gpus = job.param("request_gpus", Some("RequestGPUs"))?;
    if gpus.is_none() && !job.has("RequestGPUs") && !job.st.foreign_cluster {
        gpus = job.params.get("JOB_DEFAULT_REQUESTGPUS");
    }
    if let Some(g) = gpus {
        if !g.eq_ignore_ascii_case("undefined") {
            job.set_expr("RequestGPUs", &g)?;
        }
    }
    if job.has("RequestGPUs") {
        if let Some(r) = job.param("require_gpus", Some("RequireGPUs"))? {
            job.set_expr("RequireGPUs", &r)?;
        }
        if let Some(v) = job.param("gpus_minimum_capability", Some("GPUsMinCapability"))? {
            job.set_expr("GPUsMinCapability", &v)?;
        }
        if let Some(v) = job.param("gpus_maximum_capability", Some("GPUsMaxCapability"))? {
            job.set_expr("GPUsMaxCapability", &v)?;
        }
        if let Some(v) = job.param("gpus_minimum_memory", Some("GPUsMinMemory"))? {
            match parse_bytes(&v, MIB) {
                Some(q) => job.set_int("GPUsMinMemory", q.value),
                None => job.set_expr("GPUsMinMemory", &v)?,
            }
        } else if job.param("request_gpu_memory", Some("request_gpus_memory"))?.is_some() {
            job.warning("\nWARNING: request_gpu_memory is not a submit command, did you mean gpus_minimum_memory?");
        }
        if let Some(v) = job.param("gpus_minimum_runtime", Some("GPUsMinRuntime"))? {
            match parse_version_pair(&v) {
                Some((major, minor)) if (-1..100).contains(&minor) => {
                    let ver = if minor == -1 && major > 1000 {
                        major
                    } else {
                        major * 1000 + if minor > 0 { minor * 10 } else { 0 }
                    };
                    job.set_int("GPUsMinRuntime", ver);
                }
                _ => job.set_expr("GPUsMinRuntime", &v)?,
            }
        }
    }
    Ok(())
}

/// `x` or `x.y` (HTCondor's `StrIsProcId`): `(x, y)`, `y == -1` when absent.
fn parse_version_pair(s: &str) -> Option<(i64, i64)> {
    let (a, b) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let major: i64 = a.parse().ok()?;
    let minor = match b {
        Some(b) => b.parse().ok()?,
        None => -1,
    };
    Some((major, minor))
}

pub(super) fn set_resource_requirements(job: &mut Job) -> Step {
    if !job.has("RequestGPUs") {
        return Ok(());
    }
    let require = job.lookup("RequireGPUs").cloned();
    let mut props = Refs::default();
    if let Some(r) = &require {
        expr_refs(r, &["Capability", "GlobalMemoryMb", "DriverVersion", "MaxSupportedVersion"], &mut props);
    }
    let mut clauses = Vec::new();
    if job.has("GPUsMinCapability") && !props.job_has("Capability") {
        clauses.push("Capability >= GPUsMinCapability");
    }
    if job.has("GPUsMaxCapability") && !props.job_has("Capability") {
        clauses.push("Capability <= GPUsMaxCapability");
    }
    if job.has("GPUsMinMemory") && !props.job_has("GlobalMemoryMb") {
        clauses.push("GlobalMemoryMb >= GPUsMinMemory");
    }
    if job.has("GPUsMinRuntime") && !props.job_has("MaxSupportedVersion") {
        clauses.push("MaxSupportedVersion >= GPUsMinRuntime");
    }
    if clauses.is_empty() {
        return Ok(());
    }
    let text = match require {
        Some(r) => {
            let s = r.to_string();
            let s = if matches!(r.node(), classad::Node::Binary { op: classad::BinaryOp::Or, .. } | classad::Node::Ternary { .. }) {
                format!("({s})")
            } else {
                s
            };
            format!("{s} && {}", clauses.join(" && "))
        }
        None => clauses.join(" && "),
    };
    job.set_expr("RequireGPUs", &text)
}

fn might_transfer(u: i64) -> bool {
    matches!(u, universe::VANILLA | universe::MPI | universe::PARALLEL | universe::JAVA | universe::VM)
}

/// The scheme of a URL, lowercased (HTCondor's `getURLType(url, true)`).
fn url_type(url: &str) -> String {
    url.split("://").next().unwrap_or("").to_ascii_lowercase()
}

pub(super) fn set_requirements(job: &mut Job) -> Step {
    let orig = job.param("requirements", None)?;
    let mut answer = match &orig {
        Some(o) => format!("({o})"),
        None => {
            if let Some(eff) = job.param("FACTORY.Requirements", None)? {
                if eff.eq_ignore_ascii_case("MY.Requirements") {
                    if !job.has("Requirements") {
                        return job.error("'Requirements = MY.Requirements' when there are not yet any Requirements\n");
                    }
                } else {
                    job.set_expr("Requirements", &eff)?;
                }
                return Ok(());
            }
            String::new()
        }
    };

    let mut myreq = job.param("MY.Requirements", None)?;
    if myreq.is_none() {
        myreq = job.param("+Requirements", None)?;
    }
    if myreq.is_some() {
        if orig.is_some() {
            job.warning(
                "Use of MY.Requirements or +Requirements  overrides requirements. You should remove one of these statements from your submit file.\n",
            );
        }
        return Ok(());
    }

    let uni = job.st.universe;
    let factory_req = job.hash.peek("FACTORY.AppendReq").unwrap_or_default();
    if !factory_req.is_empty() {
        if !answer.is_empty() {
            answer.push_str(" && ");
        }
        if factory_req.starts_with('(') {
            answer.push_str(factory_req);
        } else {
            answer.push_str(&format!("({factory_req})"));
        }
    } else {
        let mut append = None;
        if uni == universe::VANILLA {
            append = job.params.get("APPEND_REQ_VANILLA");
        }
        if append.is_none() {
            append = job.params.get("APPEND_REQUIREMENTS");
        }
        if let Some(a) = append {
            if answer.is_empty() {
                answer = format!("({a})");
            } else {
                answer.push_str(&format!(" && ({a})"));
            }
        }
    }

    let gt = job.st.grid_type.to_ascii_lowercase();
    if uni == universe::GRID && (gt != "condor" || !job.params.boolean("SUBMIT_GENERATE_CONDOR_C_REQUIREMENTS", true)) {
        if answer.is_empty() {
            answer = "TRUE".to_string();
        }
        return job.set_expr("Requirements", &answer);
    }

    let mut refs = Refs::default();
    if !answer.is_empty() {
        match Expr::parse_old(&answer) {
            Ok(e) => expr_refs(&e, &["RequestMemory", "VM_CkptMac", "Requirements"], &mut refs),
            Err(_) => {
                // the final assignment below reports the parse error
            }
        }
    }
    if refs.job_has("Requirements") || refs.machine_has("Requirements") {
        return job.error(format!("Requirements = {answer}\nIs Circular. Did you intend to use $(Requirements) ?\n"));
    }

    let arch = job.params.get("ARCH").unwrap_or_default();
    let opsys = job.params.get("OPSYS").unwrap_or_default();
    let checks_arch = refs.machine_has("Arch");
    let checks_opsys = job.st.is_container
        || job.st.is_docker
        || ["OpSys", "OpSysAndVer", "OpSysLongName", "OpSysShortName", "OpSysName", "OpSysLegacy"]
            .iter()
            .any(|a| refs.machine_has(a));
    let checks_disk = refs.machine_has("Disk");
    let checks_cpus = refs.machine_has("Cpus");
    let checks_tdp = refs.machine_has("HasTDP");
    let checks_encrypt = refs.machine_has("EncryptExecuteDirectory");
    let mut checks_fsdomain = false;
    let mut checks_file_transfer = false;
    let mut checks_plugin_methods = false;
    let mut checks_per_file_encryption = false;
    if might_transfer(uni) {
        checks_fsdomain = refs.machine_has("FileSystemDomain");
        checks_file_transfer = refs.machine_has("HasFileTransfer") || refs.machine_has("HasJobTransferPlugins");
        checks_plugin_methods = refs.machine_has("HasFileTransferPluginMethods");
        checks_per_file_encryption = refs.machine_has("HasPerFileEncryption");
    }
    let checks_hsct = refs.machine_has("HasSelfCheckpointTransfers");
    let checks_mem = refs.machine_has("Memory");

    let arch_clause = format!("(TARGET.Arch == \"{arch}\")");
    if uni == universe::JAVA {
        if !answer.is_empty() {
            answer.push_str(" && ");
        }
        answer.push_str("TARGET.HasJava");
    } else if job.st.is_docker {
        if !checks_arch {
            if !answer.is_empty() {
                answer.push_str(" && ");
            }
            answer.push_str(&arch_clause);
        }
        if !answer.is_empty() {
            answer.push_str(" && ");
        }
        answer.push_str("TARGET.HasDocker");
        if let Some(net) = job.lookup_string("DockerNetworkType") {
            if !net.is_empty() && net != "host" && net != "none" && net != "nat" {
                answer.push_str("&& StringListMember(My.DockerNetworkType, TARGET.DockerNetworks)");
            }
        }
    } else if job.st.is_container {
        if !checks_arch {
            if !answer.is_empty() {
                answer.push_str(" && ");
            }
            answer.push_str(&arch_clause);
        }
        if !answer.is_empty() {
            answer.push_str(" && ");
        }
        answer.push_str("TARGET.HasContainer");
        if job.has("DockerImage") {
            answer.push_str("&& TARGET.HasDockerURL");
        } else if let Some(image) = job.lookup_string("ContainerImage") {
            if image.starts_with("docker:") || image.starts_with("oras:") {
                answer.push_str("&& TARGET.HasDockerURL");
            } else if image.ends_with(".sif") {
                answer.push_str("&& TARGET.HasSIF");
            } else {
                answer.push_str("&& TARGET.HasSandboxImage");
            }
        }
    } else {
        if !checks_arch {
            if !answer.is_empty() {
                answer.push_str(" && ");
            }
            answer.push_str(&arch_clause);
        }
        if !checks_opsys {
            answer.push_str(&format!(" && (TARGET.OpSys == \"{opsys}\")"));
        }
    }

    if !checks_disk {
        match job.lookup("RequestDisk") {
            Some(e) => {
                if literal_number(e).is_none_or(|d| d > 0.0) {
                    answer.push_str(" && (TARGET.Disk >= RequestDisk)");
                }
            }
            None => answer.push_str(" && (TARGET.Disk >= DiskUsage)"),
        }
    } else {
        if job.has("RequestDisk") {
            answer.push_str(" && (TARGET.Disk >= RequestDisk)");
        }
        if !job.st.warned_requirements_disk && job.params.boolean("ENABLE_DEPRECATION_WARNINGS", true) {
            job.warning(
                "Your Requirements expression refers to TARGET.Disk. This is obsolete. Set request_disk and condor_submit will modify the Requirements expression as needed.\n",
            );
            job.st.warned_requirements_disk = true;
        }
    }

    if let Some(e) = job.lookup("RequestMemory") {
        if literal_number(e).is_none_or(|m| m > 1.0) {
            answer.push_str(" && (TARGET.Memory >= RequestMemory)");
        }
    }
    if checks_mem && !job.st.warned_requirements_mem && job.params.boolean("ENABLE_DEPRECATION_WARNINGS", true) {
        job.warning(
            "your Requirements expression refers to TARGET.Memory. This is obsolete. Set request_memory and condor_submit will modify the Requirements expression as needed.\n",
        );
        job.st.warned_requirements_mem = true;
    }

    if uni != universe::GRID && !checks_cpus {
        if let Some(e) = job.lookup("RequestCpus") {
            if literal_number(e).is_none_or(|c| c > 1.0) {
                answer.push_str(" && (TARGET.Cpus >= RequestCpus)");
            }
        }
    }

    // custom resources: Request<Tag> attributes other than cpus, disk, memory
    let mut tags: BTreeMap<String, String> = BTreeMap::new();
    let mut add_tag = |name: &str| {
        if name.len() >= 9 && name[..7].eq_ignore_ascii_case("Request") && !name[7..].starts_with('_') {
            tags.entry(name.to_ascii_lowercase()).or_insert_with(|| name.to_string());
        }
    };
    job.note_request_reads();
    if let Some(parent) = job.ad.chained() {
        for (n, _) in parent.iter() {
            add_tag(n);
        }
    }
    for (n, _) in job.ad.iter() {
        add_tag(n);
    }
    for skip in ["requestcpus", "requestdisk", "requestmemory"] {
        tags.remove(skip);
    }
    if !job.params.boolean("SUBMIT_GENERATE_CUSTOM_RESOURCE_REQUIREMENTS", true) {
        tags.retain(|k, _| k == "requestgpus");
    }
    for name in tags.values() {
        let tag = &name[7..];
        if tag.len() < 2 || tag.starts_with('_') || refs.machine_has(tag) {
            continue;
        }
        let value = job.eval_attr(name);
        match &value {
            Value::Int(_) | Value::Real(_) | Value::Undefined => {
                let positive = value.as_number().is_none_or(|v| v > 0.0);
                if positive {
                    let require = format!("Require{tag}");
                    if job.has(&require) {
                        answer.push_str(&format!(" && (countMatches(MY.{require},TARGET.Available{tag}) >= {name})"));
                        job.st.has_require_res_attr = true;
                    } else {
                        answer.push_str(&format!(" && (TARGET.{tag} >= {name})"));
                    }
                }
            }
            Value::String(s)
                if !s.is_empty() => {
                    answer.push_str(&format!(" && regexp({name}, TARGET.{tag})"));
                }
            _ => {}
        }
    }

    if !checks_tdp && job.has("ToolDaemonCmd") {
        answer.push_str(" && TARGET.HasTDP");
    }
    if !checks_encrypt && job.lookup_bool("EncryptExecuteDirectory") == Some(true) {
        answer.push_str(" && TARGET.HasEncryptExecuteDirectory");
    }

    if might_transfer(uni) {
        let domain_check = "(TARGET.FileSystemDomain == MY.FileSystemDomain)";
        let crypt_check = if !checks_per_file_encryption
            && ["EncryptInputFiles", "EncryptOutputFiles", "DontEncryptInputFiles", "DontEncryptOutputFiles"]
                .iter()
                .any(|a| job.has(a))
        {
            " && TARGET.HasPerFileEncryption"
        } else {
            ""
        };
        let should = job.lookup_string("ShouldTransferFiles").map(|s| s.to_ascii_uppercase());
        let should_no = matches!(should.as_deref(), Some("NO" | "FALSE" | "NEVER"));
        let if_needed = matches!(should.as_deref(), None | Some("IF_NEEDED" | "AUTO"));
        if should_no {
            if !checks_fsdomain {
                answer.push_str(" && ");
                answer.push_str(domain_check);
            }
        } else if !checks_file_transfer {
            let mut join_op = " && (";
            let mut close_op = ")";
            if if_needed && !checks_fsdomain {
                answer.push_str(join_op);
                answer.push_str(domain_check);
                join_op = " || (";
                close_op = "))";
            }
            let plugins = job.lookup_string("TransferPlugins").unwrap_or_default();
            let xfer_check = if plugins.is_empty() { "TARGET.HasFileTransfer" } else { "TARGET.HasJobTransferPlugins" };
            answer.push_str(join_op);
            answer.push_str(xfer_check);
            answer.push_str(crypt_check);

            let mut version_check = job.lookup_string("TransferCheckpoint").is_some();
            if job.lookup_bool("PreserveRelativePaths") == Some(true) {
                version_check = true;
            }
            if let Some(w) = job.lookup_string("WhenToTransferOutput") {
                if w.eq_ignore_ascii_case("ON_SUCCESS") || w.eq_ignore_ascii_case("ONSUCCESS") {
                    version_check = true;
                }
            }
            if version_check {
                answer.push_str(" && versioncmp( split(TARGET.CondorVersion)[1], \"8.9.7\" ) >= 0");
            }

            // plugin methods the job needs but does not bring
            let mut job_methods: Vec<String> = Vec::new();
            for plug in plugins.split(';') {
                if let Some((methods, _)) = plug.split_once('=') {
                    job_methods.extend(super::split_list(methods).into_iter().map(|m| m.to_ascii_lowercase()));
                }
            }
            let mut methods: BTreeMap<String, String> = BTreeMap::new();
            let mut want = |m: String| {
                if !job_methods.contains(&m) {
                    methods.insert(m.to_ascii_lowercase(), m);
                }
            };
            if let Some(list) = job.lookup_string("TransferInput") {
                for f in list.split(',') {
                    let f = crate::reader::trim_c(f);
                    if is_url(f) {
                        want(url_type(f));
                    }
                }
            }
            if let Some(dest) = job.lookup_string("OutputDestination") {
                if is_url(&dest) {
                    want(url_type(&dest));
                } else {
                    job.warning("output_destination must be a URL, did you mean output_directory ?\n");
                }
            }
            if let Some(remaps) = job.lookup_string("TransferOutputRemaps") {
                for r in remaps.split(';') {
                    if let Some((_, url)) = r.split_once('=') {
                        let url = url.trim();
                        if is_url(url) {
                            want(url_type(url));
                        }
                    }
                }
            }
            let presign = job.params.boolean("SIGN_S3_URLS", true);
            let mut wanted = Vec::new();
            for m in methods.values() {
                wanted.push(m.clone());
                if checks_plugin_methods {
                    continue;
                }
                answer.push_str(&format!(" && stringListIMember(\"{m}\",TARGET.HasFileTransferPluginMethods)"));
                if presign && (m.eq_ignore_ascii_case("s3") || m.eq_ignore_ascii_case("gs")) {
                    let mut present = true;
                    if !job.has("EC2AccessKeyId") {
                        present = false;
                        job.msgs.errors.push("[s3|gs]:// URLs require [s3|aws|gs]_access_key_id_file to be set.\n".into());
                    }
                    if !job.has("EC2SecretAccessKey") {
                        present = false;
                        job.msgs.errors.push("[s3|gs]:// URLS require [s3|aws|gs]_secret_access_key_file to be set.\n".into());
                    }
                    if !present {
                        return Err(super::Abort);
                    }
                }
            }
            if !wanted.is_empty() {
                job.set_str("WantTransferPluginMethods", &wanted.join(","));
            }
            answer.push_str(close_op);
        }
    }

    if super::policy::needs_job_deferral(job).is_some() {
        if uni != universe::LOCAL {
            answer.push_str(" && TARGET.HasJobDeferral");
        }
        if !job.has("ScheddInterval") {
            match job.params.get("SCHEDD_INTERVAL") {
                Some(i) => job.set_expr("ScheddInterval", &i)?,
                None => job.set_int("ScheddInterval", 300),
            }
        }
        answer.push_str(
            " && (((time() + ScheddInterval) >= (DeferralTime - DeferralPrepTime)) && (time() < (DeferralTime + DeferralWindow)))",
        );
    }

    if job.lookup_bool("WantFTOnCheckpoint") == Some(true) && !checks_hsct {
        answer.push_str(" && TARGET.HasSelfCheckpointTransfers");
    }

    if let Some(cuda) = job.lookup_string("CUDAVersion") {
        let parsed = match cuda.split_once('.') {
            Some((a, b)) => match (a.parse::<u32>(), b.parse::<u32>()) {
                (Ok(major), Ok(minor)) => Some(i64::from(major) * 1000 + i64::from(minor % 100)),
                _ => None,
            },
            None => cuda.parse::<u32>().ok().map(|m| if m < 1000 { i64::from(m) * 1000 } else { i64::from(m) }),
        };
        match parsed {
            Some(v) => {
                job.set_int("CUDAVersion", v);
                answer.push_str("&& CUDAVersion <= TARGET.CUDAMaxSupportedVersion");
            }
            None => {
                return job.error("cuda_version must be of the form 'x' or 'x.y', where x and y are positive integers.\n")
            }
        }
    }

    job.set_expr("Requirements", &answer)
}

pub(super) fn set_concurrency_limits(job: &mut Job) -> Step {
    let limits = job.param("concurrency_limits", None)?.unwrap_or_default();
    let expr = job.param("concurrency_limits_expr", None)?.unwrap_or_default();
    if !limits.is_empty() {
        if !expr.is_empty() {
            return job.error("concurrency_limits and concurrency_limits_expr can't be used together\n");
        }
        let mut list = super::split_list(&limits.to_ascii_lowercase());
        for l in &list {
            if !valid_concurrency_limit(l) {
                return job.error(format!("Invalid concurrency limit '{l}'\n"));
            }
        }
        list.sort();
        let s = list.join(",");
        if !s.is_empty() {
            job.set_str("ConcurrencyLimits", &s);
        }
    } else if !expr.is_empty() {
        job.set_expr("ConcurrencyLimits", &expr)?;
    }
    Ok(())
}

fn valid_attr_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty() && (b[0].is_ascii_alphabetic() || b[0] == b'_') && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
}

fn valid_concurrency_limit(l: &str) -> bool {
    let name = l.split(':').next().unwrap_or("");
    match name.split_once('.') {
        Some((a, b)) => valid_attr_name(a) && valid_attr_name(b),
        None => valid_attr_name(name),
    }
}

pub(super) fn set_accounting_group(job: &mut Job) -> Step {
    let mut group = job.param("accounting_group", Some("AccountingGroup"))?;
    let (nice, _) = job.param_bool("nice_user", Some("NiceUser"), false)?;
    if nice {
        let nice_group = job.params.get("NICE_USER_ACCOUNTING_GROUP_NAME").unwrap_or_default();
        match &group {
            None => group = if nice_group.is_empty() { None } else { Some(nice_group) },
            Some(g) => {
                if *g != nice_group {
                    job.warning("nice_user conflicts with accounting_group. nice_user will be ignored");
                }
            }
        }
        job.set_int("MaxJobRetirementTime", 0);
    }
    let gu = job.param("accounting_group_user", Some("AcctGroupUser"))?;
    if group.is_none() && gu.is_none() {
        return Ok(());
    }
    let group_user = gu.unwrap_or_else(|| job.opts.user.clone());
    if let Some(g) = &group {
        if g.contains(|c: char| c.is_ascii_whitespace()) {
            return job.error(format!("Invalid accounting_group: {g}\n"));
        }
    }
    if group_user.contains(|c: char| c.is_ascii_whitespace()) {
        return job.error(format!("Invalid accounting_group_user: {group_user}\n"));
    }
    job.set_str("AcctGroupUser", &group_user);
    match group {
        Some(g) => {
            job.set_str("AcctGroup", &g);
            job.set_str("AccountingGroup", &format!("{g}.{group_user}"));
        }
        None => job.set_str("AccountingGroup", &group_user),
    }
    Ok(())
}

pub(super) fn set_oauth(job: &mut Job) -> Step {
    let Some(needed) = job.param("use_oauth_services", Some("UseOAuthServices"))? else { return Ok(()) };
    let enabled: Vec<String> = super::split_list(&needed);
    let mut with_handles: Vec<String> = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let keys: Vec<String> = job.hash.entries().iter().map(|e| e.name.clone()).collect();
    for key in keys {
        if key.starts_with('+') || (key.len() >= 3 && key[..3].eq_ignore_ascii_case("MY.")) {
            continue;
        }
        let lower = key.to_ascii_lowercase();
        let Some(pos) = ["_oauth_permissions", "_oauth_resource", "_oauth_options"]
            .iter()
            .filter_map(|p| lower.find(p).map(|i| (i, p.len())))
            .min_by_key(|(i, _)| *i)
        else {
            continue;
        };
        let (start, len) = pos;
        if start == 0 {
            continue;
        }
        let mut service = key[..start].to_string();
        if enabled.contains(&service) {
            let rest = &key[start + len..];
            if !rest.is_empty() {
                with_handles.push(service.clone());
                service.push('*');
                service.push_str(&rest[1.min(rest.len())..]);
            }
            names.insert(service.clone(), service);
        }
    }
    for e in &enabled {
        if !with_handles.contains(e) {
            names.insert(e.clone(), e.clone());
        }
    }
    if !names.is_empty() {
        let list: Vec<&str> = names.values().map(String::as_str).collect();
        job.set_str("OAuthServicesNeeded", &list.join(","));
    }
    Ok(())
}
