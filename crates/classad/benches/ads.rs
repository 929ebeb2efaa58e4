//! The ads the benchmarks evaluate: a typical job and a typical slot.

/// A job ad as `condor_submit` writes one (the attributes matchmaking reads
/// plus the usual bookkeeping).
pub const JOB: &str = r#"ClusterId = 1234
ProcId = 0
Owner = "alice"
User = "alice@example.org"
Cmd = "/home/alice/analysis/run.sh"
Args = "--input data_0042.root --events 100000"
Iwd = "/home/alice/analysis"
JobUniverse = 5
JobStatus = 1
JobPrio = 0
QDate = 1700000000
EnteredCurrentStatus = 1700000000
RequestCpus = 1
RequestMemory = 2048
RequestDisk = 4194304
ImageSize = 1000
DiskUsage = 1000
ExecutableSize = 100
NumJobStarts = 0
NumShadowStarts = 0
MaxHosts = 1
MinHosts = 1
CurrentHosts = 0
ShouldTransferFiles = "YES"
WhenToTransferOutput = "ON_EXIT"
TransferInput = "data_0042.root"
FileSystemDomain = "example.org"
AccountingGroup = "group_physics.alice"
ConcurrencyLimits = undefined
WantRemoteIO = true
Rank = TARGET.Mips * 0.001 + (TARGET.Memory >= 8192 ? 10 : 0)
Requirements = (TARGET.Arch == "X86_64") && (TARGET.OpSys == "LINUX") && (TARGET.Disk >= RequestDisk) && (TARGET.Memory >= RequestMemory) && (TARGET.Cpus >= RequestCpus) && ((TARGET.FileSystemDomain == MY.FileSystemDomain) || (TARGET.HasFileTransfer)) && (TARGET.HasSingularity =?= true || TARGET.OpSysMajorVer >= 8)
"#;

/// A partitionable slot's ad, with the attributes a startd advertises.
pub fn machine() -> String {
    let mut s = String::from(
        r#"MyType = "Machine"
Name = "slot1@worker042.example.org"
Machine = "worker042.example.org"
Arch = "X86_64"
OpSys = "LINUX"
OpSysAndVer = "AlmaLinux9"
OpSysMajorVer = 9
OpSysName = "AlmaLinux"
Cpus = 32
Memory = 128000
Disk = 900000000
Mips = 30000
KFlops = 2000000
HasFileTransfer = true
HasSingularity = true
FileSystemDomain = "example.org"
UidDomain = "example.org"
State = "Unclaimed"
Activity = "Idle"
LoadAvg = 0.05
SlotType = "Partitionable"
PartitionableSlot = true
Start = true
Rank = 0
IsOwner = false
Requirements = START && (TARGET.RequestMemory <= Memory) && (TARGET.RequestCpus <= Cpus)
START = (TARGET.AccountingGroup =!= undefined) || (TARGET.Owner == "alice")
"#,
    );
    // The many attributes a real slot carries (detected hardware, daemon
    // statistics) that matchmaking does not read.
    for i in 0..80 {
        s.push_str(&format!("Stat{i}_Count = {i}\nDetected{i}_Name = \"value {i}\"\n"));
    }
    s
}
