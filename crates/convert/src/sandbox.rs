//! Running a conversion tool on untrusted input: bubblewrap, rlimits, a memory cgroup, a deadline.
//!
//! For: the exact command line (FACTS.md, "Sandbox that works here"), per-job memory limits, and
//! running one sandboxed process with a wall-clock deadline that kills everything it started.
//! Not for: deciding which tool runs with which arguments ([`crate::office`], [`crate::pdf`]).
//!
//! Inside the sandbox a tool sees read-only `/usr`, the few files of `/etc` the converters need
//! ([`ETC_FILES`]: not `/etc` itself, which holds `shadow`, keys and configuration), a private
//! `/tmp`, `/proc`, `/dev`, and the job directory as `/job` (also `HOME`), which is the only
//! place it can write. It has no network (only `lo`, in its own namespace), no capabilities, its
//! own PID namespace and uid 1000; `--unshare-user` matters: as root without it bwrap keeps all
//! capabilities. Uid 1000 inside maps to the uid bwrap starts as outside: when the server runs
//! as root that would be root, so bwrap is then started as an unprivileged user
//! ([`Outside::Unprivileged`], through `setpriv`) who owns only the job directory.
//!
//! Limits: `prlimit` caps CPU seconds, file size and open files. Memory is capped for the whole
//! job by a cgroup v1 memory controller, created per job *under the server's own memory
//! cgroup* (so the server's own limit still covers it) and removed afterwards. Where that is not
//! writable (cgroup v2 only, containers) the fallback is `prlimit --as`, which is weaker: a
//! program past it fails allocations instead of being killed, and LibreOffice may then produce
//! an incomplete page rather than an error. The deadline kills bwrap; `--die-with-parent` and
//! the PID namespace take every process inside with it.

use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::Instant;

use crate::{ConvertError, Stage};

/// Where the job directory appears inside the sandbox.
pub const JOB_MOUNT: &str = "/job";

/// What the converters read of `/etc`: the dynamic linker's cache, fonts, LibreOffice's own
/// configuration and the `alternatives` links some of its libraries resolve through, and
/// `passwd` (LibreOffice looks its user up; the file is world-readable and holds no secret).
pub const ETC_FILES: [&str; 5] = [
    "/etc/ld.so.cache",
    "/etc/fonts",
    "/etc/libreoffice",
    "/etc/alternatives",
    "/etc/passwd",
];

/// Who the sandbox runs as outside it; chosen once when the converter starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outside {
    /// The server's own uid (it is not root): the sandbox can do no more than the server.
    Same,
    /// The server is root: bwrap starts as this unprivileged uid and gid, which owns the job
    /// directory and nothing else, so uid 1000 inside is not root outside.
    Unprivileged(u32),
}

impl Outside {
    /// `Unprivileged(tools.sandbox_uid)` when running as root and bwrap works that way here.
    pub fn probe(tools: &Tools) -> Outside {
        use std::os::unix::fs::MetadataExt;
        let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        if !root {
            return Outside::Same;
        }
        let outside = Outside::Unprivileged(tools.sandbox_uid);
        let mut line = outside.prefix(tools);
        line.push(tools.bwrap.clone().into());
        line.extend(
            [
                "--unshare-all",
                "--unshare-user",
                "--uid",
                "1000",
                "--ro-bind",
                "/usr",
                "/usr",
                "--symlink",
                "usr/lib",
                "/lib",
                "--symlink",
                "usr/lib64",
                "/lib64",
                "--",
                "/usr/bin/true",
            ]
            .map(OsString::from),
        );
        let ran = std::process::Command::new(&line[0])
            .args(&line[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match ran {
            Ok(status) if status.success() => outside,
            other => {
                tracing::error!(
                    ?other,
                    "bwrap cannot create a user namespace as an unprivileged user here; the \
                     conversion sandbox's uid maps to root outside (run the server as a \
                     non-root user, or allow unprivileged user namespaces)"
                );
                Outside::Same
            }
        }
    }

    /// The `setpriv` command that starts bwrap as the unprivileged user (empty for `Same`).
    fn prefix(self, tools: &Tools) -> Vec<OsString> {
        match self {
            Outside::Same => Vec::new(),
            Outside::Unprivileged(id) => vec![
                tools.setpriv.clone().into(),
                format!("--reuid={id}").into(),
                format!("--regid={id}").into(),
                "--clear-groups".into(),
                "--".into(),
            ],
        }
    }

    /// Gives the job directory and the files in it to the sandbox's outside user.
    pub(crate) fn hand_over(self, job_dir: &Path) -> std::io::Result<()> {
        let Outside::Unprivileged(id) = self else {
            return Ok(());
        };
        std::os::unix::fs::chown(job_dir, Some(id), Some(id))?;
        for entry in std::fs::read_dir(job_dir)? {
            std::os::unix::fs::chown(entry?.path(), Some(id), Some(id))?;
        }
        Ok(())
    }
}

/// Programs used for conversion. Outside ones are run by the server; inside ones are looked up
/// on `/usr/bin:/bin` inside the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Tools {
    /// bubblewrap (outside).
    pub bwrap: PathBuf,
    /// util-linux prlimit (outside).
    pub prlimit: PathBuf,
    /// util-linux setpriv (outside; used when the server runs as root).
    pub setpriv: PathBuf,
    /// The uid and gid the sandbox runs as outside when the server runs as root (65534:
    /// `nobody`, which owns no file).
    pub sandbox_uid: u32,
    /// LibreOffice: program and leading arguments (inside). A test can put a script here.
    pub soffice: Vec<String>,
    /// poppler's pdfinfo, pdftocairo and pdftotext (inside).
    pub pdfinfo: String,
    pub pdftocairo: String,
    pub pdftotext: String,
}

impl Default for Tools {
    fn default() -> Self {
        Tools {
            bwrap: "bwrap".into(),
            prlimit: "prlimit".into(),
            setpriv: "setpriv".into(),
            sandbox_uid: 65534,
            soffice: vec!["soffice".into()],
            pdfinfo: "pdfinfo".into(),
            pdftocairo: "pdftocairo".into(),
            pdftotext: "pdftotext".into(),
        }
    }
}

/// How a job's memory is capped; chosen once when the converter starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryLimit {
    /// Per-job cgroups are created in this (cgroup v1 memory) directory.
    Cgroup(PathBuf),
    /// No writable memory cgroup: `prlimit --as` per process.
    AddressSpace,
}

impl MemoryLimit {
    /// Use a memory cgroup below the one this process is in, if we may create and limit one.
    /// Each call gets a directory of its own, so converters in one process never share one.
    pub fn probe() -> MemoryLimit {
        match probe_cgroup() {
            Ok(dir) => MemoryLimit::Cgroup(dir),
            Err(reason) => {
                tracing::warn!(%reason, "no writable memory cgroup; converting with prlimit --as only");
                MemoryLimit::AddressSpace
            }
        }
    }

    /// Remove the parent directory made by [`MemoryLimit::probe`] (when no job uses it).
    pub fn release(&self) {
        if let MemoryLimit::Cgroup(dir) = self {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn probe_cgroup() -> Result<PathBuf, String> {
    let own = std::fs::read_to_string("/proc/self/cgroup").map_err(|e| e.to_string())?;
    let path = own
        .lines()
        .find_map(|l| {
            let mut parts = l.splitn(3, ':');
            let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
            controllers
                .split(',')
                .any(|c| c == "memory")
                .then(|| path.to_owned())
        })
        .ok_or("no cgroup v1 memory controller")?;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = Path::new("/sys/fs/cgroup/memory")
        .join(path.trim_start_matches('/'))
        .join(format!(
            "confab-convert-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    match JobCgroup::create(&dir, "probe", 64 * 1024 * 1024) {
        Ok(probe) => {
            drop(probe);
            Ok(dir)
        }
        Err(e) => {
            let _ = std::fs::remove_dir(&dir);
            Err(e)
        }
    }
}

/// One job's memory cgroup. Removed on drop once its processes are gone.
#[derive(Debug)]
pub(crate) struct JobCgroup {
    dir: PathBuf,
}

impl JobCgroup {
    pub fn create(parent: &Path, name: &str, bytes: u64) -> Result<JobCgroup, String> {
        let dir = parent.join(name);
        std::fs::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let cgroup = JobCgroup { dir };
        let write = |file: &str, value: &str| {
            std::fs::write(cgroup.dir.join(file), value)
                .map_err(|e| format!("{}/{file}: {e}", cgroup.dir.display()))
        };
        write("memory.limit_in_bytes", &bytes.to_string())?;
        // Swap would let a job exceed the cap slowly instead of being stopped; absent if the
        // kernel does not account swap, which is fine.
        let _ = write("memory.memsw.limit_in_bytes", &bytes.to_string());
        Ok(cgroup)
    }

    /// Wait (bounded) until no process is left in the cgroup, so removal succeeds.
    pub async fn drain(&self) {
        let procs = self.dir.join("cgroup.procs");
        for _ in 0..100 {
            match tokio::fs::read_to_string(&procs).await {
                Ok(s) if s.trim().is_empty() => return,
                Err(_) => return,
                Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
        tracing::warn!(dir = %self.dir.display(), "processes still in job cgroup after 2 s");
    }
}

impl Drop for JobCgroup {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir(&self.dir) {
            tracing::warn!(dir = %self.dir.display(), error = %e, "could not remove job cgroup");
        }
    }
}

/// The fixed part of the bwrap command line, up to and including `--`.
pub(crate) fn bwrap_args(job_dir: &Path) -> Vec<OsString> {
    let mut args: Vec<OsString> = [
        "--unshare-all",
        "--unshare-user",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        JOB_MOUNT,
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--ro-bind",
        "/usr",
        "/usr",
        // Without the font cache fontconfig rescans every font on each start.
        "--ro-bind-try",
        "/var/cache/fontconfig",
        "/var/cache/fontconfig",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
    ]
    .iter()
    .map(OsString::from)
    .collect();
    for file in ETC_FILES {
        args.extend(["--ro-bind-try", file, file].map(OsString::from));
    }
    args.push("--bind".into());
    args.push(job_dir.into());
    args.push(JOB_MOUNT.into());
    args.extend(["--chdir", JOB_MOUNT, "--"].map(OsString::from));
    args
}

/// rlimits of one sandboxed process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rlimits {
    pub cpu_secs: u64,
    pub file_bytes: u64,
    pub open_files: u64,
    /// Only when no memory cgroup is available.
    pub address_space: Option<u64>,
}

pub(crate) fn prlimit_args(limits: &Rlimits) -> Vec<OsString> {
    let mut args = vec![
        format!("--cpu={}", limits.cpu_secs),
        format!("--fsize={}", limits.file_bytes),
        format!("--nofile={}", limits.open_files),
    ];
    if let Some(bytes) = limits.address_space {
        args.push(format!("--as={bytes}"));
    }
    args.into_iter().map(OsString::from).collect()
}

/// Where and how one job's tools run.
#[derive(Debug)]
pub(crate) struct Sandbox {
    pub job_dir: PathBuf,
    pub tools: Tools,
    pub cgroup: Option<JobCgroup>,
    pub memory_bytes: u64,
    pub outside: Outside,
}

impl Sandbox {
    /// The full command: [sh moving itself into the cgroup →] prlimit → [setpriv →] bwrap →
    /// `argv`.
    pub fn command_line(&self, rlimits: &Rlimits, argv: &[String]) -> (OsString, Vec<OsString>) {
        let mut line: Vec<OsString> = Vec::new();
        line.push(self.tools.prlimit.clone().into());
        line.extend(prlimit_args(rlimits));
        line.extend(self.outside.prefix(&self.tools));
        line.push(self.tools.bwrap.clone().into());
        line.extend(bwrap_args(&self.job_dir));
        line.extend(argv.iter().map(OsString::from));
        if let Some(cgroup) = &self.cgroup {
            // The shell joins the cgroup before exec, so nothing runs outside it even briefly.
            let mut wrapped: Vec<OsString> = vec![
                "-c".into(),
                r#"echo $$ > "$0/cgroup.procs" && exec "$@""#.into(),
                cgroup.dir.clone().into(),
            ];
            wrapped.extend(line);
            return ("/bin/sh".into(), wrapped);
        }
        let program = line.remove(0);
        (program, line)
    }

    pub fn rlimits(&self, timeout: Duration) -> Rlimits {
        Rlimits {
            // CPU time can only be less than wall time on one core; the margin absorbs the
            // extra threads some tools use while the deadline is the real bound.
            cpu_secs: timeout.as_secs() + 5,
            file_bytes: 2 * 1024 * 1024 * 1024,
            open_files: 1024,
            address_space: self.cgroup.is_none().then_some(self.memory_bytes),
        }
    }

    /// Start `argv` in the sandbox; its stdout is read line by line, stderr collected.
    pub fn spawn(
        &self,
        stage: Stage,
        timeout: Duration,
        argv: &[String],
    ) -> Result<Running, ConvertError> {
        let (program, args) = self.command_line(&self.rlimits(timeout), argv);
        let mut child = Command::new(&program)
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // A job dropped mid-stage (cancelled) must not leave its process running.
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| ConvertError::Sandbox {
                detail: format!("starting {}: {e}", program.to_string_lossy()),
            })?;
        let stdout = child.stdout.take().map(|s| BufReader::new(s).lines());
        let stderr = child.stderr.take().map(|mut s| {
            tokio::spawn(async move {
                // Keep the start of stderr: LibreOffice's "Error:" line comes early; a tool that
                // floods stderr must not grow our memory.
                let mut buf = Vec::new();
                let _ = (&mut s).take(64 * 1024).read_to_end(&mut buf).await;
                let _ = tokio::io::copy(&mut s, &mut tokio::io::sink()).await;
                String::from_utf8_lossy(&buf).into_owned()
            })
        });
        Ok(Running {
            child,
            stdout,
            stderr,
            deadline: Instant::now() + timeout,
            stage,
            limit: timeout,
        })
    }
}

/// A sandboxed process that is running; killed if dropped.
pub(crate) struct Running {
    child: Child,
    stdout: Option<Lines<BufReader<ChildStdout>>>,
    stderr: Option<tokio::task::JoinHandle<String>>,
    deadline: Instant,
    stage: Stage,
    limit: Duration,
}

/// How a sandboxed process ended.
#[derive(Debug)]
pub(crate) struct Finished {
    pub status: ExitStatus,
    pub stderr: String,
}

impl Running {
    /// The next line of stdout, `None` at its end; the deadline applies.
    pub async fn next_line(&mut self) -> Result<Option<String>, ConvertError> {
        let Some(lines) = self.stdout.as_mut() else {
            return Ok(None);
        };
        match tokio::time::timeout_at(self.deadline, lines.next_line()).await {
            Ok(Ok(line)) => Ok(line),
            Ok(Err(e)) => Err(ConvertError::internal("reading tool output", e)),
            Err(_) => Err(self.kill_for_timeout().await),
        }
    }

    /// Wait for the process to end (reading and dropping any stdout left), within the deadline.
    pub async fn finish(mut self) -> Result<Finished, ConvertError> {
        while self.next_line().await?.is_some() {}
        let status = match tokio::time::timeout_at(self.deadline, self.child.wait()).await {
            Ok(Ok(status)) => status,
            Ok(Err(e)) => return Err(ConvertError::internal("waiting for tool", e)),
            Err(_) => return Err(self.kill_for_timeout().await),
        };
        let stderr = match self.stderr.take() {
            Some(task) => task.await.unwrap_or_default(),
            None => String::new(),
        };
        // SIGKILL that we did not send: the memory cgroup's OOM killer. bwrap reports a killed
        // child as exit code 128 + signal.
        if status.signal() == Some(9) || status.code() == Some(128 + 9) {
            return Err(ConvertError::OutOfMemory { stage: self.stage });
        }
        // SIGXCPU: the CPU-seconds rlimit, a timeout by another clock.
        if status.signal() == Some(24) || status.code() == Some(128 + 24) {
            return Err(ConvertError::TimedOut {
                stage: self.stage,
                limit: self.limit,
            });
        }
        Ok(Finished { status, stderr })
    }

    async fn kill_for_timeout(&mut self) -> ConvertError {
        // Killing bwrap takes the whole sandbox with it (--die-with-parent, PID namespace).
        let _ = self.child.kill().await;
        ConvertError::TimedOut {
            stage: self.stage,
            limit: self.limit,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn bwrap_drops_privileges_and_binds_only_the_job_dir_writable() {
        let args = strings(&bwrap_args(Path::new("/work/jobs/job-1")));
        let joined = args.join(" ");
        for required in [
            "--unshare-all --unshare-user --uid 1000 --gid 1000 --cap-drop ALL",
            "--die-with-parent --new-session --clearenv",
            "--ro-bind /usr /usr",
            "--ro-bind-try /etc/fonts /etc/fonts",
            "--setenv HOME /job",
            "--bind /work/jobs/job-1 /job --chdir /job --",
        ] {
            assert!(
                joined.contains(required),
                "missing {required:?} in {joined}"
            );
        }
        assert_eq!(args.iter().filter(|a| *a == "--bind").count(), 1);
        assert!(
            !args.iter().any(|a| a == "/etc"),
            "all of /etc is bound: {joined}"
        );
        assert!(!args.iter().any(|a| a == "--share-net"));
        assert_eq!(args.last().map(String::as_str), Some("--"));
    }

    #[test]
    fn prlimit_caps_address_space_only_without_a_cgroup() {
        let mut limits = Rlimits {
            cpu_secs: 65,
            file_bytes: 10,
            open_files: 64,
            address_space: None,
        };
        assert_eq!(
            strings(&prlimit_args(&limits)),
            ["--cpu=65", "--fsize=10", "--nofile=64"]
        );
        limits.address_space = Some(1024);
        assert_eq!(
            strings(&prlimit_args(&limits)).last().map(String::as_str),
            Some("--as=1024")
        );
    }

    #[test]
    fn with_a_cgroup_the_command_joins_it_before_exec() {
        let sandbox = Sandbox {
            job_dir: "/w/j".into(),
            tools: Tools::default(),
            // Not created: `command_line` only reads the path.
            cgroup: None,
            memory_bytes: 1 << 30,
            outside: Outside::Same,
        };
        let (program, args) = sandbox.command_line(
            &sandbox.rlimits(Duration::from_secs(60)),
            &["pdfinfo".into()],
        );
        assert_eq!(program, "prlimit");
        let args = strings(&args);
        assert_eq!(
            args[..4],
            [
                "--cpu=65",
                "--fsize=2147483648",
                "--nofile=1024",
                "--as=1073741824"
            ]
        );
        assert_eq!(args[4], "bwrap");
        assert_eq!(args.last().map(String::as_str), Some("pdfinfo"));

        let with_cgroup = Sandbox {
            cgroup: Some(JobCgroup {
                dir: "/sys/fs/cgroup/memory/x/job".into(),
            }),
            ..sandbox
        };
        let (program, args) = with_cgroup.command_line(
            &with_cgroup.rlimits(Duration::from_secs(60)),
            &["pdfinfo".into()],
        );
        // Dropping a JobCgroup removes its directory; this one was never created.
        std::mem::forget(with_cgroup);
        assert_eq!(program, "/bin/sh");
        let args = strings(&args);
        assert_eq!(args[0], "-c");
        assert!(args[1].contains("cgroup.procs") && args[1].contains("exec"));
        assert_eq!(args[2], "/sys/fs/cgroup/memory/x/job");
        assert_eq!(args[3], "prlimit");
        assert!(!args.iter().any(|a| a.starts_with("--as=")));
    }

    /// Run `script` with `sh` in a sandbox over `job_dir`; stdout lines and how it ended.
    async fn run_script(
        job_dir: &Path,
        cgroup: Option<JobCgroup>,
        memory_bytes: u64,
        script: &str,
    ) -> (Vec<String>, Result<Finished, ConvertError>) {
        let outside = Outside::probe(&Tools::default());
        outside
            .hand_over(job_dir)
            .expect("giving the job dir to the sandbox user");
        let sandbox = Sandbox {
            job_dir: job_dir.to_owned(),
            tools: Tools::default(),
            cgroup,
            memory_bytes,
            outside,
        };
        let argv = ["/bin/sh", "-c", script].map(String::from);
        let mut running = sandbox
            .spawn(Stage::Render, Duration::from_secs(30), &argv)
            .expect("bwrap starts (apt-get install bubblewrap)");
        let mut lines = Vec::new();
        while let Ok(Some(line)) = running.next_line().await {
            lines.push(line);
        }
        let finished = running.finish().await;
        if let Some(cgroup) = &sandbox.cgroup {
            cgroup.drain().await;
        }
        (lines, finished)
    }

    #[tokio::test]
    async fn inside_there_is_no_network_no_capability_and_only_the_job_dir_is_writable() {
        let job = tempfile::tempdir().expect("job dir");
        // Listening on the host's loopback: the sandbox's loopback is another one.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
        let port = listener.local_addr().expect("addr").port();
        let script = format!(
            r#"sed -n 's/^ *\([a-z0-9]*\):.*/iface \1/p' /proc/net/dev
grep CapEff /proc/self/status
bash -c 'echo > /dev/tcp/127.0.0.1/{port}' 2>/dev/null && echo host-loopback-reached || echo host-loopback-refused
bash -c 'echo > /dev/tcp/192.0.2.1/80' 2>/dev/null && echo outside-reached || echo outside-unreachable
touch /usr/confab-probe 2>/dev/null && echo usr-writable || echo usr-read-only
touch /job/probe && echo job-writable
id -u"#
        );
        let (lines, finished) = run_script(job.path(), None, 1 << 30, &script).await;
        let finished = finished.expect("script ran");
        assert!(finished.status.success(), "{finished:?}");
        let ifaces: Vec<&String> = lines.iter().filter(|l| l.starts_with("iface ")).collect();
        assert_eq!(ifaces, ["iface lo"], "{lines:?}");
        for expected in [
            "CapEff:\t0000000000000000",
            "host-loopback-refused",
            "outside-unreachable",
            "usr-read-only",
            "job-writable",
            "1000",
        ] {
            assert!(
                lines.iter().any(|l| l == expected),
                "missing {expected:?} in {lines:?}"
            );
        }
        assert!(job.path().join("probe").exists());
    }

    #[tokio::test]
    async fn inside_etc_holds_no_secret_and_the_sandbox_user_is_nobody_outside() {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let job = tempfile::tempdir().expect("job dir");
        // A file only its owner (the server's user, root in CI) may read, visible inside.
        std::fs::create_dir(job.path().join("keep")).expect("dir");
        let secret = job.path().join("keep/owner-only");
        std::fs::write(&secret, "secret").expect("write");
        std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let script = r#"cat /etc/shadow >/dev/null 2>&1 && echo shadow-read || echo shadow-hidden
cat /job/keep/owner-only >/dev/null 2>&1 && echo owner-file-read || echo owner-file-refused
ls /etc | tr '\n' ' '; echo
touch /job/made && echo made"#;
        let (lines, finished) = run_script(job.path(), None, 1 << 30, script).await;
        assert!(finished.expect("script ran").status.success(), "{lines:?}");
        assert!(lines.iter().any(|l| l == "shadow-hidden"), "{lines:?}");
        assert!(lines.iter().any(|l| l == "made"), "{lines:?}");
        let etc: Vec<&str> = lines[2].split_whitespace().collect();
        assert!(
            etc.iter()
                .all(|f| ETC_FILES.contains(&format!("/etc/{f}").as_str())),
            "{etc:?}"
        );
        let server_is_root = std::fs::metadata("/proc/self").expect("proc").uid() == 0;
        if server_is_root {
            // uid 1000 inside is not root outside: it cannot read root's file, and what it
            // writes belongs to the unprivileged user.
            assert!(lines.iter().any(|l| l == "owner-file-refused"), "{lines:?}");
            let made = std::fs::metadata(job.path().join("made")).expect("made");
            assert_ne!(made.uid(), 0, "the sandbox wrote as root");
        }
    }

    #[tokio::test]
    #[cfg_attr(
        not(confab_memory_cgroup),
        ignore = "no writable cgroup v1 memory controller where this was built"
    )]
    async fn a_job_over_its_memory_cgroup_limit_is_stopped() {
        let MemoryLimit::Cgroup(parent) = MemoryLimit::probe() else {
            panic!("the build found a writable memory cgroup, but it is not writable now");
        };
        let job = tempfile::tempdir().expect("job dir");
        let cgroup = JobCgroup::create(&parent, "test-oom", 64 * 1024 * 1024).expect("cgroup");
        // Holds 256 MiB in one shell variable.
        let script = r#"x=$(head -c 268435456 /dev/zero | tr '\0' a); echo survived ${#x}"#;
        let (lines, finished) = run_script(job.path(), Some(cgroup), 64 << 20, script).await;
        MemoryLimit::Cgroup(parent).release();
        assert!(
            matches!(
                finished,
                Err(ConvertError::OutOfMemory {
                    stage: Stage::Render
                })
            ),
            "{finished:?} {lines:?}"
        );
    }
}
