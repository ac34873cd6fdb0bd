//! The backfill file is accepted by the real promtool (Debian's prometheus 2.42), which turns
//! every sample of it into TSDB blocks.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use arrwdb_sim::{write_openmetrics, BackfillOptions};
use common::{config, START_UNIX};

const PROMTOOL: &str = "/usr/bin/promtool";

fn promtool() -> &'static str {
    assert!(
        Path::new(PROMTOOL).exists(),
        "{PROMTOOL} is missing: run `cargo xtask test`, which installs Debian's prometheus (with promtool) and then runs every test"
    );
    PROMTOOL
}

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn promtool_turns_the_backfill_into_blocks_with_every_sample() {
    let promtool = promtool();
    let dir = fresh_dir("promtool-backfill");
    // 75 minutes across a 2-hour block boundary, fine and coarse steps, job and instance labels.
    let to = (START_UNIX / 7_200 + 1) * 7_200 + 1_200;
    let c = config(42, to - 3 * 3_600, 0);
    let mut options = BackfillOptions::new(to - 75 * 60, to);
    options.fine_span_secs = 30 * 60;
    options.extra_labels = vec![("job".into(), "arrwdb".into()), ("instance".into(), "127.0.0.1:8000".into())];
    let file = dir.join("backfill.om");
    let summary =
        write_openmetrics(&c, &options, &mut std::io::BufWriter::new(std::fs::File::create(&file).unwrap())).unwrap();

    let data = dir.join("data");
    let output = Command::new(promtool)
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "promtool failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let list = Command::new(promtool).args(["tsdb", "list"]).arg(&data).output().unwrap();
    assert!(list.status.success());
    let text = String::from_utf8(list.stdout).unwrap();
    // BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE
    let blocks: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(blocks.len(), 2, "one block on each side of the 2-hour boundary:\n{text}");
    let samples: usize = blocks.iter().map(|b| b[4].parse::<usize>().unwrap()).sum();
    assert_eq!(samples, summary.samples, "{text}");
    for block in &blocks {
        assert_eq!(block[6].parse::<usize>().unwrap(), summary.series, "{text}");
    }
    let min_ms: i64 = blocks.iter().map(|b| b[1].parse::<i64>().unwrap()).min().unwrap();
    assert_eq!(min_ms, (options.sample_times_unix(&c)[0] * 1_000) as i64);
    std::fs::remove_dir_all(&dir).unwrap();
}
