//! The startd's configuration: resources, slot types, policy, and the
//! machine facts every slot ad carries.

use proto::address::Address;
use proto::collector::{quote, set_addresses};
use proto::WireAd;

use crate::core::layout::{build_slots, Resources};
use crate::core::slot::MachineFacts;
use crate::core::StartdConfig;
use daemon::Settings;

/// How many `SLOT_TYPE_<n>` the startd looks at (HTCondor's `MAX_SLOT_TYPES`).
const MAX_SLOT_TYPES: u32 = 10;

/// Build the startd's configuration from `settings`; `addrs` are where it
/// listens (for `MyAddress`).
pub fn startd_config(settings: &Settings, addrs: &[Address], start_time: i64) -> anyhow::Result<StartdConfig> {
    let host = daemon::host::hostname();
    let execute_dir = settings.execute_dir();
    let cpus = settings.int("NUM_CPUS", daemon::host::detected_cpus() as i64).max(1) as f64;
    let memory_mb = settings.int("MEMORY", daemon::host::detected_memory_mb() as i64).max(1);
    let disk_kb = settings.int("DISK", daemon::host::disk_free_kb(&execute_dir) as i64).max(1024);
    let machine = Resources { cpus, memory_mb, disk_kb };
    let types: Vec<(u32, u32, String, bool)> = (1..=settings.int("MAX_SLOT_TYPES", MAX_SLOT_TYPES as i64).max(1) as u32)
        .map(|n| {
            (
                n,
                settings.int(&format!("NUM_SLOTS_TYPE_{n}"), 0).max(0) as u32,
                settings.get_or(&format!("SLOT_TYPE_{n}"), ""),
                settings.bool(&format!("SLOT_TYPE_{n}_PARTITIONABLE"), false),
            )
        })
        .collect();
    let num_slots = settings.get("NUM_SLOTS").map(|_| settings.int("NUM_SLOTS", 1).max(1) as u32);
    let slots = build_slots(machine, &types, num_slots, settings.bool("SLOT_TYPE_0_PARTITIONABLE", true))?;

    let facts = daemon::host::os_facts();
    let mut common = WireAd::new();
    common.set("Arch", quote(&facts.arch));
    common.set("OpSys", quote(&facts.opsys));
    common.set("OpSysAndVer", quote(&facts.opsys_and_ver));
    common.set("OpSysName", quote(&facts.opsys_name));
    common.set("OpSysShortName", quote(&facts.opsys_short_name));
    common.set("OpSysLongName", quote(&facts.opsys_long_name));
    common.set("OpSysMajorVer", facts.opsys_major_ver.to_string());
    common.set("OpSysVer", facts.opsys_ver.to_string());
    common.set("OpSysLegacy", quote(&facts.opsys));
    common.set("FileSystemDomain", quote(&settings.get_or("FILESYSTEM_DOMAIN", &host)));
    common.set("UidDomain", quote(&settings.get_or("UID_DOMAIN", &host)));
    common.set("HasFileTransfer", "true");
    common.set("HasFileTransferPluginMethods", quote(""));
    common.set("HasVM", "false");
    common.set("DetectedCpus", daemon::host::detected_cpus().to_string());
    common.set("DetectedMemory", daemon::host::detected_memory_mb().to_string());
    common.set("CondorVersion", quote(&daemon::version::condor_version_line()));
    common.set("CondorPlatform", quote(&daemon::version::condor_platform_line()));
    common.set("AerieVersion", quote(daemon::version::AERIE_VERSION));
    set_addresses(&mut common, addrs);
    if let Some(a) = common.get("MyAddress").map(str::to_string) {
        common.set("StartdIpAddr", a);
    }
    common.set("DaemonStartTime", start_time.to_string());
    common.set("UpdateInterval", settings.int("UPDATE_INTERVAL", 300).to_string());
    if let Some(h) = settings.get("COLLECTOR_HOST") {
        common.set("COLLECTOR_HOST_STRING", quote(&h));
    }
    // STARTD_ATTRS: attributes an administrator adds to every slot ad.
    for name in settings.list("STARTD_ATTRS").into_iter().chain(settings.list("STARTD_EXPRS")) {
        if let Some(v) = settings.get(&name) {
            if classad::Expr::parse_old(&v).is_ok() {
                common.set(&name, v);
            }
        }
    }
    let start = settings.get_or("START", "TRUE");
    let start = if classad::Expr::parse_old(&start).is_ok() {
        start
    } else {
        tracing::error!("START = {start} does not parse as a ClassAd expression; using FALSE so no job starts until it is fixed");
        "FALSE".to_string()
    };
    Ok(StartdConfig {
        facts: MachineFacts { host, common, start, machine },
        slots,
        lease_secs: (settings.int("ALIVE_INTERVAL", 300).max(1) * settings.int("MAX_CLAIM_ALIVES_MISSED", 6).max(1)) as u64,
        queue_depth: settings.int("STARTD_JOB_QUEUE_DEPTH", 8).clamp(0, 64) as u32,
        execute_dir,
        modify_cpus: settings.get_or("MODIFY_REQUEST_EXPR_REQUESTCPUS", ""),
        modify_memory: settings.get_or("MODIFY_REQUEST_EXPR_REQUESTMEMORY", ""),
        modify_disk: settings.get_or("MODIFY_REQUEST_EXPR_REQUESTDISK", ""),
    })
}
