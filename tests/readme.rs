//! The README's two commands are the ones that work: the run command starts the app, and the
//! test command is exactly what CI runs.

use std::fs;

fn commands_in_readme() -> Vec<String> {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md exists");
    let mut in_shell_block = false;
    let mut commands = Vec::new();
    for line in readme.lines() {
        if line.starts_with("```") {
            in_shell_block = !in_shell_block && (line.contains("sh") || line.contains("bash"));
            continue;
        }
        if in_shell_block && !line.trim().is_empty() && !line.trim_start().starts_with('#') {
            commands.push(line.trim().to_owned());
        }
    }
    commands
}

#[test]
fn the_readme_gives_the_run_and_test_commands_first() {
    let commands = commands_in_readme();
    assert!(commands.len() >= 2, "README shell blocks: {commands:?}");
    assert_eq!(commands[0], "cargo run --release");
    assert_eq!(commands[1], "./tests/run.sh");
}

#[test]
fn ci_runs_the_readme_test_command() {
    let commands = commands_in_readme();
    let ci = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run"))
        .expect(".ci/run exists");
    let ci_lines: Vec<&str> = ci.lines().map(str::trim).collect();
    assert!(
        ci_lines.contains(&commands[1].as_str()),
        ".ci/run does not run `{}`",
        commands[1]
    );
    assert!(
        ci_lines.iter().any(|l| l.starts_with("apt-get update")),
        ".ci/run must refresh the package lists"
    );
    let test_script = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/run.sh"))
        .expect("tests/run.sh exists");
    assert!(
        test_script.lines().any(|l| {
            // `cargo test`, after any environment assignments.
            let words: Vec<&str> = l
                .split_whitespace()
                .skip_while(|w| w.contains('='))
                .collect();
            words == ["cargo", "test"]
        }),
        "tests/run.sh runs cargo test"
    );
}
