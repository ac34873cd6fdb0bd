//! The story a dashboard shows: each scheduled incident trips the guide's alert rule (computed
//! as PromQL would from the scraped counters) and nothing trips it outside; the quiet hours
//! look like a healthy service.

mod common;

use std::collections::BTreeMap;

use arrwdb_sim::incidents::intensity;
use arrwdb_sim::traffic::{request_rate_per_sec, SEARCH};
use arrwdb_sim::{incidents_between, tick_traffic, IncidentKind, SimConfig, Simulator, TICK_SECS};
use common::{
    auth_failures_per_sec, config, error_ratio, memory_ratio, p95_secs, scrape_with, Scrape, GIB, START_UNIX,
};

const EVALUATION_SECS: u64 = 30;

/// An alert rule of deploy/prometheus/alerts.yml, on scrapes `window_secs` apart.
struct Rule {
    kind: IncidentKind,
    window_secs: u64,
    for_secs: u64,
    holds: fn(&Scrape, &Scrape) -> bool,
}

const RULES: [Rule; 4] = [
    Rule {
        kind: IncidentKind::ErrorSpike,
        window_secs: 300,
        for_secs: 300,
        holds: |now, before| error_ratio(now, before) > 0.05,
    },
    Rule {
        kind: IncidentKind::LatencyRegression,
        window_secs: 300,
        for_secs: 600,
        holds: |now, before| p95_secs(now, before) > 1.0,
    },
    Rule {
        kind: IncidentKind::AuthFailureBurst,
        window_secs: 300,
        for_secs: 300,
        holds: |now, before| auth_failures_per_sec(now, before) > 10.0,
    },
    Rule { kind: IncidentKind::MemoryClimb, window_secs: 0, for_secs: 900, holds: |now, _| memory_ratio(now) > 0.9 },
];

/// Scrapes every evaluation interval over [from - 300, to].
fn scrapes(c: &SimConfig, from: u64, to: u64) -> BTreeMap<u64, Scrape> {
    let mut simulator = Simulator::new(*c).unwrap();
    (from - 300..=to).step_by(EVALUATION_SECS as usize).map(|t| (t, scrape_with(&mut simulator, t))).collect()
}

#[test]
fn each_incident_trips_its_alert_and_nothing_else_does() {
    // One anchor on the tick grid, one off it; three periods each.
    for c in [config(42, START_UNIX, 1_200), config(7, START_UNIX + 3, 2_467)] {
        let from = c.start_unix + 600;
        let to = from + 3 * 3_600;
        let all = scrapes(&c, from, to);
        let occurrences = incidents_between(&c, from - 300, to);
        for rule in &RULES {
            let holds: Vec<(u64, bool)> = (from..=to)
                .step_by(EVALUATION_SECS as usize)
                .map(|t| (t, (rule.holds)(&all[&t], &all[&(t - rule.window_secs)])))
                .collect();
            let mine: Vec<_> = occurrences.iter().filter(|o| o.kind == rule.kind).collect();
            assert!(mine.len() >= 2, "{:?}: too few occurrences in range", rule.kind);

            // Outside: wherever the window does not touch an occurrence, the rule does not hold.
            for (t, h) in &holds {
                let touches = mine.iter().any(|o| *t >= o.started_unix && t - rule.window_secs < o.ends_unix);
                assert!(!*h || touches, "{} holds at {t} outside {:?}", rule.kind.alert_name(), rule.kind);
            }
            // Inside: once the window is within the occurrence (and past the ramp) it holds, and
            // it holds long enough for the alert's `for` with a minute to spare.
            for o in mine.iter().filter(|o| o.started_unix >= from && o.ends_unix <= to) {
                let full_from = o.started_unix + rule.window_secs + o.kind.ramp_secs();
                for (t, h) in holds.iter().filter(|(t, _)| (full_from..o.ends_unix).contains(t)) {
                    assert!(h, "{} does not hold at {t}, inside {o:?}", rule.kind.alert_name());
                }
                let mut longest = 0;
                let mut run = 0;
                for (_, h) in holds.iter().filter(|(t, _)| (o.started_unix..o.ends_unix + rule.window_secs).contains(t))
                {
                    run = if *h { run + EVALUATION_SECS } else { 0 };
                    longest = longest.max(run);
                }
                assert!(
                    longest >= rule.for_secs + 60,
                    "{} holds for only {longest} s during {o:?}",
                    rule.kind.alert_name()
                );
            }
        }
    }
}

#[test]
fn the_error_spike_fails_about_15_percent_of_searches() {
    let c = config(11, START_UNIX, 900);
    let spike = incidents_between(&c, START_UNIX + 600, START_UNIX + 4_000)
        .into_iter()
        .find(|o| o.kind == IncidentKind::ErrorSpike)
        .unwrap();
    let (mut failed, mut all) = (0, 0);
    let first = c.ticks_completed_at(spike.started_unix + 60);
    for tick in first..c.ticks_completed_at(spike.ends_unix) {
        let search = &tick_traffic(&c, tick).http[SEARCH];
        failed += search[2].count();
        all += search.iter().map(|s| s.count()).sum::<u64>();
    }
    let share = failed as f64 / all as f64;
    assert!((0.12..0.18).contains(&share), "5xx share of searches {share}");
}

#[test]
fn quiet_hours_look_healthy() {
    let c = config(42, START_UNIX, 0);
    let day_ticks = 86_400 / TICK_SECS;
    let spikes = |t: u64| intensity(&c, IncidentKind::ErrorSpike, t) > 0.0;
    let (mut server_errors, mut requests) = (0u64, 0u64);
    let mut legit_per_window = Vec::new();
    let mut window_legit = 0u64;
    for tick in 0..day_ticks {
        let traffic = tick_traffic(&c, tick);
        let outside_spike = !spikes(traffic.start_unix) && !spikes(traffic.start_unix + TICK_SECS - 1);
        if outside_spike {
            server_errors += traffic.http.iter().map(|h| h[2].count()).sum::<u64>();
            requests += traffic.requests();
        }
        window_legit += traffic.api_keys[0];
        if (tick + 1) % 30 == 0 {
            legit_per_window.push(window_legit as f64 / 300.0);
            window_legit = 0;
        }
    }
    let share = server_errors as f64 / requests as f64;
    assert!((0.000_2..=0.000_5).contains(&share), "5xx share outside spikes {share}");
    let (low, high) = legit_per_window.iter().fold((f64::MAX, 0.0f64), |(l, h), r| (l.min(*r), h.max(*r)));
    assert!(low >= 20.0 && high <= 60.0, "legitimate traffic ranges over [{low}, {high}] req/s");
    assert!(high - low > 20.0, "the daily curve is flat: [{low}, {high}]");
}

#[test]
fn gauges_move_plausibly() {
    let c = config(42, START_UNIX, 0);
    let mut simulator = Simulator::new(c).unwrap();
    let climbs = incidents_between(&c, START_UNIX, START_UNIX + 86_400);
    let mut libraries = std::collections::BTreeSet::new();
    let mut previous_disk = 0.0;
    let mut cpu_by_rate: Vec<(f64, f64)> = Vec::new();
    let mut in_progress_sum = 0.0;
    let mut samples = 0.0;
    let mut previous_cache = [0u64; 2];
    let first = simulator.snapshot_at(START_UNIX + 60);
    for t in (START_UNIX + 60..START_UNIX + 86_400).step_by(60) {
        let s = simulator.snapshot_at(t);
        let g = &s.gauges;
        assert!((3..=8).contains(&g.active_libraries), "{} libraries at {t}", g.active_libraries);
        libraries.insert(g.active_libraries);
        let climbing = climbs.iter().any(|o| o.kind == IncidentKind::MemoryClimb && o.contains(t));
        if !climbing {
            assert!((6.0 * GIB..=8.0 * GIB).contains(&g.memory_bytes), "memory {} GiB at {t}", g.memory_bytes / GIB);
        }
        assert!(g.cpu_percent > 0.0 && g.cpu_percent <= 100.0);
        cpu_by_rate.push((request_rate_per_sec(&c, t), g.cpu_percent));
        assert!(g.disk_percent >= previous_disk && g.disk_percent < 50.0, "disk {} at {t}", g.disk_percent);
        previous_disk = g.disk_percent;
        in_progress_sum += g.requests_in_progress.iter().sum::<u64>() as f64;
        samples += 1.0;
        if (t - START_UNIX).is_multiple_of(300) {
            let hits = (s.totals.cache[0] - previous_cache[0]) as f64;
            let misses = (s.totals.cache[1] - previous_cache[1]) as f64;
            if previous_cache != [0, 0] {
                let ratio = hits / (hits + misses);
                assert!((0.58..=0.87).contains(&ratio), "cache hit ratio {ratio} at {t}");
            }
            previous_cache = s.totals.cache;
        }
    }
    assert!(libraries.len() >= 3, "active libraries hardly move: {libraries:?}");
    // CPU follows traffic.
    cpu_by_rate.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap());
    let mean = |v: &[(f64, f64)]| v.iter().map(|x| x.1).sum::<f64>() / v.len() as f64;
    let tenth = cpu_by_rate.len() / 10;
    assert!(mean(&cpu_by_rate[cpu_by_rate.len() - tenth..]) > mean(&cpu_by_rate[..tenth]) + 15.0);
    // Indexes grow with document creates.
    let last = simulator.snapshot_at(START_UNIX + 86_400);
    assert!(last.gauges.index_size_bytes[0] > first.gauges.index_size_bytes[0] * 1.2);
    // Little's law: requests in flight on average = latency seconds spent per second.
    let latency_secs: f64 = last.totals.http.iter().flatten().map(|s| s.duration.sum_secs).sum::<f64>()
        - first.totals.http.iter().flatten().map(|s| s.duration.sum_secs).sum::<f64>();
    let expected = latency_secs / (86_400.0 - 60.0);
    let observed = in_progress_sum / samples;
    assert!((observed / expected - 1.0).abs() < 0.15, "in progress {observed} vs {expected} by Little's law");
}
