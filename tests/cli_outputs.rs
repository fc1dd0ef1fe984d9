//! The tool's outputs are replaced whole or not at all: killed while it
//! writes, or out of disk space, it leaves the old file as it was.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cxmetrics"))
}

/// A fresh folder under the target directory.
fn folder(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Ticket events of `tickets` tickets, three events each.
fn events(path: &Path, tickets: usize) {
    let mut out = std::io::BufWriter::new(fs::File::create(path).unwrap());
    writeln!(out, "id,ticket,at,kind,agent,status,channel").unwrap();
    for t in 0..tickets {
        let (day, minute) = (1 + t % 28, t % 600);
        let at = |m: usize| format!("2026-03-{day:02}T{:02}:{:02}:00Z", 8 + m / 60, m % 60);
        writeln!(out, "e{t}a,T{t},{},created,,,email", at(minute)).unwrap();
        writeln!(
            out,
            "e{t}b,T{t},{},agent_reply,a{},,",
            at(minute + 7),
            t % 40
        )
        .unwrap();
        writeln!(out, "e{t}c,T{t},{},status,,solved,", at(minute + 50)).unwrap();
    }
}

fn ingest(events: &Path, output: &Path) -> Command {
    let mut command = bin();
    command
        .args(["ingest", "--events"])
        .arg(events)
        .arg("--output")
        .arg(output);
    command
}

fn partials(dir: &Path) -> Vec<PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".partial"))
        .collect()
}

/// Runs `command` 100 times, each killed (SIGKILL) at a random moment
/// while its temporary output exists, and checks `target` is each time
/// either `old` or `new`, whole.
fn kill_while_writing(dir: &Path, mut command: impl FnMut() -> Command, target: &Path) {
    let old = fs::read(target).unwrap();
    let status = command().status().unwrap();
    assert!(status.success());
    let new = fs::read(target).unwrap();
    assert_ne!(old, new);
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let (mut during_write, mut kept_old) = (0, 0);
    for _ in 0..100 {
        fs::write(target, &old).unwrap();
        let mut child = command()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait for the temporary file, then kill within 0..2 ms of it.
        let started = Instant::now();
        while partials(dir).is_empty() && child.try_wait().unwrap().is_none() {
            assert!(started.elapsed() < Duration::from_secs(60));
            std::thread::sleep(Duration::from_micros(100));
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % 2000));
        if child.try_wait().unwrap().is_none() {
            during_write += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        let now = fs::read(target).unwrap();
        assert!(
            now == old || now == new,
            "a killed write left a damaged file"
        );
        kept_old += usize::from(now == old);
        for partial in partials(dir) {
            fs::remove_file(partial).unwrap();
        }
    }
    // Most kills landed while the output was being written.
    assert!(
        during_write >= 50,
        "{during_write} of 100 kills during the write"
    );
    assert!(kept_old > 0);
}

#[test]
fn a_killed_ingest_leaves_the_old_state() {
    let dir = folder("killed-ingest");
    let (small, large) = (dir.join("small.csv"), dir.join("large.csv"));
    events(&small, 10);
    events(&large, 8_000);
    let state = dir.join("s.state");
    assert!(ingest(&small, &state).status().unwrap().success());
    kill_while_writing(&dir, || ingest(&large, &state), &state);
}

#[test]
fn a_killed_merge_onto_an_input_leaves_that_input() {
    let dir = folder("killed-merge");
    let (a_events, b_events) = (dir.join("a.csv"), dir.join("b.csv"));
    events(&a_events, 10);
    events(&b_events, 60_000);
    let (a, b) = (dir.join("a.state"), dir.join("b.state"));
    assert!(ingest(&a_events, &a).status().unwrap().success());
    assert!(ingest(&b_events, &b).status().unwrap().success());
    let original = fs::read(&a).unwrap();
    let merge = || {
        let mut command = bin();
        command.arg("merge").arg(&a).arg(&b).arg("--output").arg(&a);
        command
    };
    // Each try starts from the original `a`: a merge of `a` and `b`, written
    // over `a`, is always either the original or the merged whole.
    kill_while_writing(&dir, merge, &a);
    fs::write(&a, &original).unwrap();
}

/// Runs `script` as root of its own user and mount namespaces, with a 256
/// KiB tmpfs at `dir/full`.
fn on_small_disk(dir: &Path, script: &str) -> std::process::Output {
    let full = dir.join("full");
    fs::create_dir_all(&full).unwrap();
    Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-ec"])
        .arg(format!(
            "mount -t tmpfs -o size=256k none {full}; cd {full}; {script}",
            full = full.display()
        ))
        .env("CXMETRICS", env!("CARGO_BIN_EXE_cxmetrics"))
        .output()
        .expect("unshare runs")
}

#[test]
fn a_full_disk_leaves_nothing_behind_and_the_old_file_intact() {
    let dir = folder("full-disk");
    let large = dir.join("large.csv");
    events(&large, 20_000);
    let out = on_small_disk(
        &dir,
        &format!(
            r#"printf old > s.state; printf old > r.json; cat /dev/zero > filler 2>/dev/null || true
            if "$CXMETRICS" ingest --events {large} --output s.state 2>../err1; then exit 10; else echo "ingest $?"; fi
            if "$CXMETRICS" report --events {large} --output r.json 2>../err2; then exit 11; else echo "report $?"; fi
            cat ../err1 ../err2
            echo "files: $(ls -A | tr '\n' ' ')"; echo "state: $(cat s.state)"; echo "report: $(cat r.json)""#,
            large = large.display()
        ),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ingest 2\nreport 2\n"), "{stdout}");
    assert!(stdout.contains("no space left on device"), "{stdout}");
    assert!(
        stdout.contains("files: filler r.json s.state \n"),
        "{stdout}"
    );
    assert!(stdout.contains("state: old\nreport: old\n"), "{stdout}");
}

#[test]
fn dash_writes_to_standard_output() {
    let dir = folder("dash");
    let input = dir.join("e.csv");
    events(&input, 5);
    let run = |args: &[&str]| {
        let out = bin().args(args).current_dir(&dir).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    let report = run(&["report", "--events", "e.csv", "--output", "-"]);
    assert!(report.starts_with(b"{"));
    let state = run(&["ingest", "--events", "e.csv", "--output", "-"]);
    assert!(state.starts_with(b"CXMSTATE"));
    assert!(!dir.join("-").exists());
    // A state read from standard input, once.
    let mut child = bin()
        .args(["report", "--state", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&state).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(out.stdout, report);
    let twice = bin()
        .args([
            "report",
            "--surveys",
            "-",
            "--events",
            "-",
            "--input-format",
            "csv",
        ])
        .output()
        .unwrap();
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("standard input (-) can be read once"));
}

/// A new output gets the usual permissions (0666 less the umask); a
/// replaced one keeps its own.
#[cfg(unix)]
#[test]
fn outputs_keep_the_usual_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = folder("permissions");
    let input = dir.join("e.csv");
    events(&input, 5);
    let state = dir.join("s.state");
    let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let run = || {
        let out = Command::new("sh")
            .arg("-c")
            .arg("umask 022; exec \"$0\" ingest --events \"$1\" --output \"$2\"")
            .arg(env!("CARGO_BIN_EXE_cxmetrics"))
            .arg(&input)
            .arg(&state)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run();
    assert_eq!(mode(&state), 0o644);
    fs::set_permissions(&state, fs::Permissions::from_mode(0o600)).unwrap();
    run();
    assert_eq!(mode(&state), 0o600);
}
