//! The rows of a trace waterfall: spans depth-first under their parents, siblings by start time,
//! with offsets from the trace start. Built to survive real traces: missing parents, clock skew,
//! duplicate ids, cycles, and 10,000-span traces (iterative, O(n log n)).

use std::collections::{HashMap, HashSet};

use crate::core::jaeger::Trace;
use crate::core::order::sort_by;

/// One row of the waterfall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The span, as an index into `trace.spans`.
    pub span_index: usize,
    /// Its id, for collapsing (see [`visible_rows`]).
    pub span_id: String,
    /// 0 for a root.
    pub depth: usize,
    /// From the trace start (the earliest span start) to the bar's start, in microseconds;
    /// never negative.
    pub offset_us: i64,
    /// The bar's length in microseconds; never negative.
    pub duration_us: i64,
    pub is_error: bool,
    /// True when the next rows are this span's children.
    pub has_children: bool,
    /// A root that is not a true root: its parent is missing from the trace (not yet flushed, or
    /// dropped), or its parent links form a cycle.
    pub orphan: bool,
    /// The span starts before its parent's bar or ends after it (clock skew between hosts, or
    /// work that outlives its parent). The bar is clamped into the parent's bar so the picture
    /// stays readable; the span's own times are unchanged in `trace.spans`.
    pub skewed: bool,
}

/// Lays out `trace` as waterfall rows, every span exactly once.
///
/// Order: roots by start time (ties in the order Jaeger sent them), each followed depth-first by
/// its descendants, siblings by start time. A span whose parent is not in the trace is a root
/// marked `orphan`. A span whose id is duplicated keeps its own row; children attach to the
/// first span with their parent's id. Spans caught in a parent cycle are laid out last, from the
/// first span of the cycle met, marked `orphan`.
pub fn layout(trace: &Trace) -> Vec<Row> {
    let spans = &trace.spans;
    let n = spans.len();
    let trace_start = spans.iter().map(|s| s.start_us).min().unwrap_or(0);

    let mut first_with_id: HashMap<&str, usize> = HashMap::with_capacity(n);
    for (i, s) in spans.iter().enumerate() {
        first_with_id.entry(s.span_id.as_str()).or_insert(i);
    }
    // A span that is its own parent has no usable parent.
    let parent: Vec<Option<usize>> = spans
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let p = *first_with_id.get(s.parent_id.as_deref()?)?;
            (p != i).then_some(p)
        })
        .collect();

    let by_start = |a: &usize, b: &usize| (spans[*a].start_us, *a).cmp(&(spans[*b].start_us, *b));
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children[*p].push(i),
            None => roots.push(i),
        }
    }
    for list in &mut children {
        sort_by(list, by_start);
    }
    sort_by(&mut roots, by_start);

    let mut rows = Vec::with_capacity(n);
    let mut visited = vec![false; n];
    let mut walk = Builder {
        trace,
        trace_start,
        children: &children,
        visited: &mut visited,
        rows: &mut rows,
    };
    for &root in &roots {
        let orphan = spans[root].parent_id.is_some();
        walk.lay_out_from(root, orphan);
    }

    // What is left hangs under a cycle: walk up from each leftover span to the cycle and lay the
    // cycle out from there. Each walk only crosses spans that the layout then visits, so this is
    // O(n) in all.
    if walk.rows.len() < n {
        let mut leftovers: Vec<usize> = (0..n).filter(|&i| !walk.visited[i]).collect();
        sort_by(&mut leftovers, by_start);
        let mut walked_in = vec![usize::MAX; n];
        for (round, &start) in leftovers.iter().enumerate() {
            if walk.visited[start] {
                continue;
            }
            let mut at = start;
            while walked_in[at] != round {
                walked_in[at] = round;
                // Every leftover has a parent (roots were all laid out).
                at = parent[at].unwrap_or(at);
            }
            walk.lay_out_from(at, true);
        }
    }

    // A row has children when the next row is deeper.
    for i in 0..rows.len() {
        rows[i].has_children = rows
            .get(i + 1)
            .is_some_and(|next| next.depth > rows[i].depth);
    }
    rows
}

/// A span waiting to be laid out: (span, depth, its parent's bar as absolute [start, end] µs).
type Pending = (usize, usize, Option<(i64, i64)>);

struct Builder<'a> {
    trace: &'a Trace,
    trace_start: i64,
    children: &'a [Vec<usize>],
    visited: &'a mut [bool],
    rows: &'a mut Vec<Row>,
}

impl Builder<'_> {
    /// Appends `root` and its unvisited descendants, depth-first with an explicit stack (a chain
    /// of 10,000 nested spans must not overflow the call stack).
    fn lay_out_from(&mut self, root: usize, orphan: bool) {
        let mut stack: Vec<Pending> = vec![(root, 0, None)];
        while let Some((i, depth, parent_bar)) = stack.pop() {
            if self.visited[i] {
                continue;
            }
            self.visited[i] = true;
            let span = &self.trace.spans[i];
            let start = span.start_us;
            let end = start.saturating_add(span.duration_us.max(0));
            let (bar_start, bar_end, skewed) = match parent_bar {
                None => (start, end, false),
                Some((lo, hi)) => {
                    let bar_start = start.clamp(lo, hi);
                    (bar_start, end.clamp(bar_start, hi), start < lo || end > hi)
                }
            };
            self.rows.push(Row {
                span_index: i,
                span_id: span.span_id.clone(),
                depth,
                offset_us: bar_start - self.trace_start,
                duration_us: bar_end - bar_start,
                is_error: span.is_error,
                has_children: false,
                orphan: depth == 0 && orphan,
                skewed,
            });
            // Reversed, so the earliest child is popped first.
            for &child in self.children[i].iter().rev() {
                if !self.visited[child] {
                    stack.push((child, depth + 1, Some((bar_start, bar_end))));
                }
            }
        }
    }
}

/// The rows still shown when the spans in `collapsed` (by id) are collapsed: their descendants
/// are hidden, the collapsed rows themselves stay. `rows` must be in [`layout`] order.
pub fn visible_rows(rows: &[Row], collapsed: &HashSet<String>) -> Vec<Row> {
    let mut out = Vec::with_capacity(rows.len());
    let mut hidden_below: Option<usize> = None;
    for row in rows {
        match hidden_below {
            Some(depth) if row.depth > depth => continue,
            _ => hidden_below = None,
        }
        if row.has_children && collapsed.contains(&row.span_id) {
            hidden_below = Some(row.depth);
        }
        out.push(row.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::jaeger::{test_span as span, Span};

    fn trace(spans: Vec<Span>) -> Trace {
        Trace {
            trace_id: "t".into(),
            spans,
        }
    }

    /// Rows as `id:depth:offset+duration` plus flags: `C` children, `O` orphan, `S` skewed.
    fn picture(t: &Trace, rows: &[Row]) -> Vec<String> {
        rows.iter()
            .map(|r| {
                let mut s = format!(
                    "{}:{}:{}+{}",
                    t.spans[r.span_index].span_id, r.depth, r.offset_us, r.duration_us
                );
                for (flag, c) in [(r.has_children, 'C'), (r.orphan, 'O'), (r.skewed, 'S')] {
                    if flag {
                        s.push(c);
                    }
                }
                s
            })
            .collect()
    }

    fn check(spans: Vec<Span>, expected: &[&str]) {
        let t = trace(spans);
        assert_eq!(picture(&t, &layout(&t)), expected);
    }

    #[test]
    fn depth_first_with_siblings_by_start() {
        check(
            vec![
                span("c", Some("a"), 1_050, 20),
                span("d", Some("b"), 1_015, 5),
                span("a", None, 1_000, 100),
                span("b", Some("a"), 1_010, 30),
            ],
            &["a:0:0+100C", "b:1:10+30C", "d:2:15+5", "c:1:50+20"],
        );
        check(vec![], &[]);
    }

    #[test]
    fn missing_parents_make_orphan_roots_in_start_order() {
        check(
            vec![
                span("a", None, 100, 10),
                span("x", Some("gone"), 50, 5),
                span("y", Some("x"), 52, 1),
            ],
            &["x:0:0+5CO", "y:1:2+1", "a:0:50+10"],
        );
    }

    #[test]
    fn clock_skew_is_clamped_and_flagged() {
        check(
            vec![
                span("a", None, 1_000, 100),
                // Starts 30 µs before its parent (another host's clock).
                span("early", Some("a"), 970, 50),
                // Ends after its parent.
                span("late", Some("a"), 1_080, 100),
                // Entirely before its parent.
                span("before", Some("a"), 900, 10),
                // Its child is clamped into the clamped bar.
                span("kid", Some("early"), 960, 100),
            ],
            &[
                "a:0:100+100C",
                "before:1:100+0S",
                "early:1:100+20CS",
                "kid:2:100+20S",
                "late:1:180+20S",
            ],
        );
        // A negative duration (bad data) is a zero-length bar.
        check(vec![span("a", None, 5, -3)], &["a:0:0+0"]);
    }

    #[test]
    fn cycles_and_self_parents_do_not_hang_and_lose_nothing() {
        check(
            vec![
                span("root", None, 0, 10),
                span("a", Some("b"), 20, 10),
                span("b", Some("a"), 25, 10),
                span("c", Some("b"), 10, 5),
                span("self", Some("self"), 40, 1),
            ],
            // Walking up from `c` (the earliest leftover) meets the cycle at `b`.
            &[
                "root:0:0+10",
                "self:0:40+1O",
                "b:0:25+10CO",
                "c:1:25+0S",
                "a:1:25+5S",
            ],
        );
    }

    #[test]
    fn duplicate_ids_each_keep_a_row() {
        check(
            vec![
                span("p", None, 0, 10),
                span("p", None, 0, 10),
                span("k", Some("p"), 1, 1),
            ],
            &["p:0:0+10C", "k:1:1+1", "p:0:0+10"],
        );
    }

    /// A deterministic pseudo-random sequence (no dependency, no clock).
    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *seed >> 33
    }

    #[test]
    fn a_ten_thousand_span_trace_lays_out_every_span_once_in_order() {
        let mut seed = 7;
        let n = 10_000;
        let mut spans = vec![span("0", None, 0, 1_000_000)];
        for i in 1..n {
            let parent = lcg(&mut seed) as usize % i;
            let start = spans[parent].start_us + (lcg(&mut seed) % 1_000) as i64;
            spans.push(span(&i.to_string(), Some(&parent.to_string()), start, 10));
        }
        // Jaeger sends spans in no particular order.
        spans.reverse();
        let t = trace(spans);
        let rows = layout(&t);
        assert_eq!(rows.len(), n);
        let mut seen = vec![false; n];
        let mut position = vec![0; n];
        for (pos, r) in rows.iter().enumerate() {
            assert!(!seen[r.span_index]);
            seen[r.span_index] = true;
            position[r.span_index] = pos;
            assert!(r.offset_us >= 0 && r.duration_us >= 0);
        }
        let index_of: HashMap<&str, usize> = t
            .spans
            .iter()
            .enumerate()
            .map(|(i, s)| (s.span_id.as_str(), i))
            .collect();
        for r in &rows {
            if let Some(p) = &t.spans[r.span_index].parent_id {
                let p = index_of[p.as_str()];
                assert!(
                    position[p] < position[r.span_index],
                    "a parent comes before its child"
                );
                assert_eq!(rows[position[p]].depth + 1, r.depth);
            }
        }
    }

    #[test]
    fn a_chain_of_ten_thousand_nested_spans_does_not_overflow() {
        let n = 10_000;
        let spans: Vec<Span> = (0..n)
            .map(|i| {
                let parent = (i > 0).then(|| (i - 1).to_string());
                span(
                    &i.to_string(),
                    parent.as_deref(),
                    i as i64,
                    (n - i) as i64 * 2,
                )
            })
            .collect();
        let rows = layout(&trace(spans));
        assert_eq!(rows.len(), n);
        assert_eq!(rows[n - 1].depth, n - 1);
        assert!(rows.iter().all(|r| !r.skewed));
        // And the same chain as one long cycle.
        let cycle: Vec<Span> = (0..n)
            .map(|i| span(&i.to_string(), Some(&((i + 1) % n).to_string()), 0, 1))
            .collect();
        let rows = layout(&trace(cycle));
        assert_eq!(rows.len(), n);
        assert_eq!(rows.iter().filter(|r| r.orphan).count(), 1);
    }

    #[test]
    fn ten_thousand_siblings_are_sorted_by_start() {
        let n = 10_000;
        let mut spans = vec![span("root", None, 0, 100_000)];
        spans.extend(
            (0..n).map(|i| span(&format!("c{i}"), Some("root"), ((i * 7_919) % n) as i64, 1)),
        );
        let rows = layout(&trace(spans));
        assert!(rows[1..]
            .windows(2)
            .all(|w| w[0].offset_us <= w[1].offset_us));
    }

    #[test]
    fn collapsed_spans_hide_their_descendants_only() {
        let t = trace(vec![
            span("a", None, 0, 100),
            span("b", Some("a"), 10, 30),
            span("d", Some("b"), 15, 5),
            span("e", Some("d"), 16, 1),
            span("c", Some("a"), 50, 20),
            span("z", None, 200, 1),
        ]);
        let rows = layout(&t);
        let ids = |collapsed: &[&str]| -> Vec<String> {
            let collapsed: HashSet<String> = collapsed.iter().map(|s| s.to_string()).collect();
            visible_rows(&rows, &collapsed)
                .iter()
                .map(|r| r.span_id.clone())
                .collect()
        };
        assert_eq!(ids(&[]), ["a", "b", "d", "e", "c", "z"]);
        assert_eq!(ids(&["b"]), ["a", "b", "c", "z"]);
        assert_eq!(ids(&["a"]), ["a", "z"]);
        assert_eq!(ids(&["d", "c", "unknown"]), ["a", "b", "d", "c", "z"]);
        assert_eq!(ids(&["e"]), ["a", "b", "d", "e", "c", "z"]);
    }
}
