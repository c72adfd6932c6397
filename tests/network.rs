//! The atlas makes no network connections: the command line and the window run under strace,
//! and the trace must show no internet socket and no connect to an internet address.
//!
//! Needs the packages strace, xvfb and xauth (tests/run.sh installs them). A missing tool fails
//! the test with the package to install, so a machine without them never passes unchecked.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Socket families that never leave the machine: AF_UNIX for the X server, D-Bus and the like,
/// AF_NETLINK for asking the kernel about interfaces. Anything else (AF_INET, AF_INET6,
/// AF_PACKET, AF_BLUETOOTH, …) counts as network.
const LOCAL_FAMILIES: [&str; 4] = ["AF_UNIX", "AF_LOCAL", "AF_NETLINK", "PF_LOCAL"];

/// Panics naming the package to install when `tool` is not on the PATH: without it the test
/// would prove nothing, and a pass must mean "looked and found no network use".
fn require(tool: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()));
    assert!(
        found,
        "`{tool}` is not installed, so the no-network check cannot run: install the package \
         `{package}` (apt-get install {package}), or run tests/run.sh, which does"
    );
}

/// An empty directory for one test, under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("network-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory under the target directory");
    dir
}

/// `strace` following every process and thread, tracing socket creation and connects, one log
/// file per thread (`-ff`) so that no call is split across lines by another thread's output.
fn strace(trace_dir: &Path) -> Command {
    require("strace", "strace");
    let mut command = Command::new("strace");
    command
        .args(["-f", "-ff", "-e", "trace=socket,connect", "-o"])
        .arg(trace_dir.join("trace"))
        .arg("--");
    command
}

/// Every line of every per-thread log strace wrote into `trace_dir`.
fn trace_lines(trace_dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(trace_dir).expect("the trace directory");
    let mut lines = Vec::new();
    for entry in entries.flatten() {
        let text = std::fs::read_to_string(entry.path()).expect("a readable strace log");
        lines.extend(text.lines().map(str::to_owned));
    }
    lines
}

/// The word after `marker` up to the next `,`, `)` or `}`: the family in `socket(AF_INET, …`
/// or `{sa_family=AF_INET6, …`.
fn word_after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let end = rest.find([',', ')', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// The traced calls that use the network: a socket of a family that is not local, or a connect
/// to an address of such a family.
fn network_calls(lines: &[String]) -> Vec<&str> {
    lines
        .iter()
        .filter(|line| {
            let family = word_after(line, "socket(").or_else(|| word_after(line, "sa_family="));
            family.is_some_and(|f| !LOCAL_FAMILIES.contains(&f))
        })
        .map(String::as_str)
        .collect()
}

/// Fails unless the trace saw the process end (strace really ran and followed it) and shows no
/// network use.
fn assert_no_network(what: &str, trace_dir: &Path, output: &Output, ending: &str) {
    let lines = trace_lines(trace_dir);
    assert!(
        lines.iter().any(|l| l.contains(ending)),
        "{what}: strace did not record the process ending with \"{ending}\" (is ptrace \
         allowed here?); exit {:?}\nstderr: {}\ntrace:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr),
        lines.join("\n")
    );
    let network = network_calls(&lines);
    assert!(
        network.is_empty(),
        "{what} used the network:\n{}",
        network.join("\n")
    );
}

#[test]
fn the_trace_reader_flags_internet_sockets_and_connects_and_allows_local_ones() {
    let lines: Vec<String> = [
        "101 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3",
        "101 connect(3, {sa_family=AF_UNIX, sun_path=@\"/tmp/.X11-unix/X99\"}, 20) = 0",
        "101 socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 4",
        "102 socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 5",
        "102 connect(5, {sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), \
         inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = 0",
        "102 socket(AF_INET6, SOCK_STREAM, IPPROTO_TCP) = 6",
        "102 +++ exited with 0 +++",
    ]
    .map(str::to_owned)
    .to_vec();
    assert_eq!(network_calls(&lines), [&lines[3], &lines[4], &lines[5]]);
}

#[test]
fn checking_the_bundled_dataset_makes_no_network_connection() {
    let dir = scratch("check");
    let output = strace(&dir)
        .arg(env!("CARGO_BIN_EXE_sinokaz-atlas"))
        .args(["check", "assets/data/projects.geojson"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("strace runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("ok,"),
        "the check itself failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_no_network("check", &dir, &output, "+++ exited with 0 +++");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn exporting_a_slide_as_png_makes_no_network_connection() {
    let dir = scratch("export");
    let trace_dir = dir.join("trace");
    let out_dir = dir.join("slides");
    std::fs::create_dir_all(&trace_dir).expect("a trace directory");
    let output = strace(&trace_dir)
        .arg(env!("CARGO_BIN_EXE_sinokaz-atlas"))
        .args(["export", "--slide", "overview", "--format", "png", "--out"])
        .arg(&out_dir)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("strace runs");
    assert!(
        output.status.success(),
        "the export itself failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let png = std::fs::read(out_dir.join("01-overview.png")).expect("the exported slide");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert_no_network("export", &trace_dir, &output, "+++ exited with 0 +++");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_window_makes_no_network_connection() {
    require("xvfb-run", "xvfb");
    require("Xvfb", "xvfb");
    require("xauth", "xauth");
    let dir = scratch("gui");
    let trace_dir = dir.join("trace");
    let home = dir.join("home");
    std::fs::create_dir_all(&trace_dir).expect("a trace directory");
    std::fs::create_dir_all(&home).expect("a home directory");
    let strace = strace(&trace_dir);
    let mut command = Command::new("xvfb-run");
    command
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(strace.get_program())
        .args(strace.get_args())
        // Killed after 8 s, or 2 s later with SIGKILL should it ignore the polite signal.
        .args([
            "timeout",
            "-k",
            "2",
            "8",
            env!("CARGO_BIN_EXE_sinokaz-atlas"),
        ])
        .current_dir(&dir)
        // A fresh home: no saved state or deck from an earlier run changes what starts.
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        // The X server xvfb-run starts, never a Wayland compositor the test happens to run under.
        .env_remove("WAYLAND_DISPLAY");
    let output = command.output().expect("xvfb-run runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 124 is timeout's "still running when the time was up": the window opened and stayed open,
    // rather than failing to start, which would also make no connections.
    assert_eq!(
        output.status.code(),
        Some(124),
        "the window did not keep running for 8 s: {stderr}"
    );
    let lines = trace_lines(&trace_dir);
    let x_connects = lines
        .iter()
        .filter(|l| l.contains("connect(") && l.contains(".X11-unix/X") && l.ends_with("= 0"))
        .count();
    assert!(
        x_connects > 0,
        "the app never connected to the X server, so the trace proves nothing about the \
         window: {stderr}\ntrace:\n{}",
        lines.join("\n")
    );
    assert_no_network("the window", &trace_dir, &output, "+++ killed by SIGTERM");
    std::fs::remove_dir_all(&dir).ok();
}
