//! The view state and the URL: everything a user chooses on the dashboard (time range, refresh,
//! isolated series, stacking, per-handler view, trace drill-down, single panel, kiosk, theme)
//! lives in the query string, behind one pair of functions: [`decode`] and [`encode`]. A
//! permalink therefore reproduces the view, and back/forward work.
//!
//! Decoding is lenient, in two steps (ripgrep's LowArgs → HiArgs): the query string is first
//! split and percent-decoded into raw strings (`RawQuery`, which never fails), then each raw
//! value is validated into its typed field. A value that does not validate keeps the field's
//! default and yields one [`StateWarning`] naming the parameter and the problem, built in one
//! place (`StateWarning::new`). Unknown parameters are ignored: portals embedding the
//! dashboard add their own. Nothing here panics on any input.
//!
//! Encoding is canonical: parameters in a fixed order, each omitted when it equals its default,
//! so equal states give equal URLs and the default state gives the empty string.
//!
//! | parameter            | meaning                                              | default      |
//! |----------------------|------------------------------------------------------|--------------|
//! | `range=1h`           | the last 1h (any duration from 1s to 400d)           | `1h`         |
//! | `from=<s>&to=<s>`    | an absolute range in Unix seconds (wins over `range`) | –            |
//! | `refresh=10s`        | `off`, `5s`, `10s`, `30s`, `1m` or `5m`              | the config's |
//! | `handler=<name>`     | error rate and latency for one handler               | overall      |
//! | `cluster=<name>`     | every panel narrowed to these clusters (repeatable)  | all clusters |
//! | `instance=<name>`    | every panel narrowed to these replicas (repeatable)  | all replicas |
//! | `stack=1`            | the request-rate panel stacked                       | not stacked  |
//! | `replicas=1`         | the overview panels one line per replica             | overall      |
//! | `iso.<panel>=<name>` | that panel shows only the named series               | all series   |
//! | `drill=<s>-<s>`      | the traces drill-down window, Unix seconds           | none         |
//! | `traces=errors`      | the drill-down lists `errors`, `all` or `slow` traces | `errors`     |
//! | `op=<name>`          | the drill-down narrowed to an operation or a route   | the service  |
//! | `trace=<hex id>`     | the trace opened in the drill-down's waterfall       | none         |
//! | `panel=<id>`         | one panel filling the frame                          | all panels   |
//! | `kiosk`              | no header (any value, even `kiosk=0`, turns it on)   | header shown |
//! | `theme=dark`         | `dark`, `light` or `system`                          | `system`     |
//! | `bg=transparent`     | a transparent page background, for embedding         | opaque       |
//!
//! When a parameter is repeated the last one wins, so a portal can override a permalink's value
//! by appending its own; `cluster` and `instance` are the exceptions: each repetition adds one
//! value (at most [`MAX_SCOPE_VALUES`]), as Grafana's multi-value variables do.

use crate::core::str_map::StrMap;
use std::fmt;

use crate::core::drill::TraceFilter;
use crate::core::time::{civil_time, TimeRange};
use crate::core::url::{decode_component, encode_component};

/// The relative ranges offered in the range picker: (label, seconds). Other durations are
/// accepted from the URL as long as they parse and are within [`MAX_RELATIVE_RANGE_SECS`].
pub const PRESETS: &[(&str, u64)] = &[
    ("5m", 5 * 60),
    ("15m", 15 * 60),
    ("30m", 30 * 60),
    ("1h", 3_600),
    ("3h", 3 * 3_600),
    ("6h", 6 * 3_600),
    ("12h", 12 * 3_600),
    ("24h", 24 * 3_600),
    ("2d", 2 * 86_400),
    ("7d", 7 * 86_400),
    ("30d", 30 * 86_400),
];

/// The most values `cluster` or `instance` may carry; more are refused with a warning.
pub const MAX_SCOPE_VALUES: usize = 64;

/// The longest relative range accepted: 400 days (a year with room to compare).
pub const MAX_RELATIVE_RANGE_SECS: u64 = 400 * 86_400;

/// The refresh periods a URL may ask for, in the order of the refresh picker.
pub const REFRESH_CHOICES: &[Refresh] = &[
    Refresh::Off,
    Refresh::Every(5),
    Refresh::Every(10),
    Refresh::Every(30),
    Refresh::Every(60),
    Refresh::Every(300),
];

/// The longest string value accepted (a handler, a panel id, a series name), in bytes. A URL is
/// not a place for essays, and the bound keeps hostile links from bloating the page.
pub const MAX_VALUE_BYTES: usize = 512;

/// The most panels that may have an isolated series at once (the dashboard has fewer panels).
pub const MAX_ISOLATED_PANELS: usize = 32;

/// The latest Unix time accepted in `from`, `to` and `drill`: 9999-12-31T23:59:59Z, so labels
/// keep four-digit years and every value converts to `f64` exactly.
const MAX_UNIX_SECS: i64 = 253_402_300_799;

/// The prefix of the per-panel isolation parameters: `iso.<panel id>=<series name>`.
const ISOLATION_PREFIX: &str = "iso.";

/// The time range shown by every panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSpec {
    /// The last `duration_secs` seconds, moving with the clock.
    Relative { duration_secs: u64 },
    /// A fixed window in Unix seconds, from a zoom or a permalink; `from_secs < to_secs`.
    Absolute { from_secs: i64, to_secs: i64 },
}

impl Default for RangeSpec {
    /// The last hour.
    fn default() -> Self {
        RangeSpec::Relative {
            duration_secs: 3_600,
        }
    }
}

impl RangeSpec {
    /// The concrete range at `now_secs` (Unix seconds, from the browser's clock).
    ///
    /// Never panics: a state that [`decode`] cannot produce (a zero duration, an absolute range
    /// that does not increase) is widened to one second, and a non-finite `now_secs` gives the
    /// first second of 1970.
    pub fn resolve(&self, now_secs: f64) -> TimeRange {
        let resolved = match *self {
            RangeSpec::Relative { duration_secs } => {
                TimeRange::last(duration_secs.max(1) as f64, now_secs)
            }
            RangeSpec::Absolute { from_secs, to_secs } => TimeRange::new(
                from_secs as f64,
                to_secs.max(from_secs.saturating_add(1)) as f64,
            ),
        };
        resolved.unwrap_or_else(|_| TimeRange::new(0.0, 1.0).expect("0 is before 1"))
    }

    /// A short label in UTC: `last 1h`, `2026-11-24 16:00 → 17:00 UTC`.
    pub fn label(&self) -> String {
        self.label_in(0)
    }

    /// A short label with absolute times shown at a UTC offset (the browser's, for local time):
    /// `last 90m`, `2026-11-24 16:00 → 2026-11-25 02:00 UTC+01:00`. Seconds are shown only
    /// when a bound has them, and the end's date only when it differs from the start's.
    pub fn label_in(&self, utc_offset_secs: i64) -> String {
        match *self {
            RangeSpec::Relative { duration_secs } => {
                format!("last {}", format_duration(duration_secs))
            }
            RangeSpec::Absolute { from_secs, to_secs } => {
                let from = civil_time(from_secs as f64, utc_offset_secs);
                let to = civil_time(to_secs as f64, utc_offset_secs);
                let with_seconds = from.second != 0 || to.second != 0;
                let time_of_day = |c: &crate::core::time::CivilTime| {
                    if with_seconds {
                        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
                    } else {
                        format!("{:02}:{:02}", c.hour, c.minute)
                    }
                };
                let date = |c: &crate::core::time::CivilTime| {
                    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
                };
                let same_day = (from.year, from.month, from.day) == (to.year, to.month, to.day);
                let end = if same_day {
                    time_of_day(&to)
                } else {
                    format!("{} {}", date(&to), time_of_day(&to))
                };
                format!(
                    "{} {} → {end} {}",
                    date(&from),
                    time_of_day(&from),
                    zone_label(utc_offset_secs)
                )
            }
        }
    }
}

/// `UTC`, or `UTC+01:00` / `UTC-05:30` for a non-zero offset.
fn zone_label(utc_offset_secs: i64) -> String {
    if utc_offset_secs == 0 {
        return "UTC".to_owned();
    }
    let sign = if utc_offset_secs < 0 { '-' } else { '+' };
    let minutes = utc_offset_secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// How often the panels reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refresh {
    Off,
    /// Every this many seconds; never zero when built by [`Refresh::from_config_secs`] or
    /// [`decode`].
    Every(u64),
}

impl Refresh {
    /// The refresh of the configuration's `refresh_secs`, where 0 means off.
    pub fn from_config_secs(refresh_secs: u64) -> Self {
        if refresh_secs == 0 {
            Refresh::Off
        } else {
            Refresh::Every(refresh_secs)
        }
    }

    /// The period in seconds, `None` when off.
    pub fn period_secs(self) -> Option<u64> {
        match self {
            Refresh::Off => None,
            Refresh::Every(secs) => Some(secs).filter(|&s| s > 0),
        }
    }
}

impl fmt::Display for Refresh {
    /// `off`, `5s`, `1m`: the URL value and the picker's label.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refresh::Off => f.write_str("off"),
            Refresh::Every(secs) => f.write_str(&format_duration(*secs)),
        }
    }
}

/// The colour scheme; `System` follows the browser's `prefers-color-scheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    #[default]
    System,
    Dark,
    Light,
}

impl Theme {
    /// Every theme, in the order of the theme picker.
    pub const ALL: &'static [Theme] = &[Theme::System, Theme::Dark, Theme::Light];

    /// `system`, `dark` or `light`: the URL value.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }
}

/// Everything the user chose, as carried by the URL. `Default` is the dashboard as first
/// opened: the last hour, the configured refresh, all series, all panels, the system theme.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewState {
    pub range: RangeSpec,
    /// `None` follows the configuration's default (see [`ViewState::effective_refresh`]).
    pub refresh: Option<Refresh>,
    /// Panel id → the series name shown alone in that panel.
    pub isolated: StrMap,
    /// The request-rate panel stacked rather than overlaid.
    pub stacked: bool,
    /// The overview panels one line per replica (their `by_replica` form).
    pub by_replica: bool,
    /// A per-handler view of error rate and latency; `None` is the overall view.
    pub handler: Option<String>,
    /// Every panel narrowed to these clusters (values of the configured cluster label), in
    /// the order chosen; empty is all of them.
    pub clusters: Vec<String>,
    /// Every panel narrowed to these replicas (values of the configured instance label);
    /// empty is all of them.
    pub instances: Vec<String>,
    /// The traces drill-down window, (from, to) in Unix seconds with from < to.
    pub drill: Option<(i64, i64)>,
    /// Which traces of the drill-down window are listed.
    pub trace_filter: TraceFilter,
    /// The drill-down's narrowing: an operation (`POST /v1/…`) or a route (`/v1/…`).
    pub drill_op: Option<String>,
    /// The trace whose waterfall is open, as lowercase hex.
    pub trace: Option<String>,
    /// `?panel=<id>`: one panel filling the frame. The id is not checked here; the shell
    /// reports an id that names no panel.
    pub panel: Option<String>,
    /// `?kiosk`: the header is hidden.
    pub kiosk: bool,
    pub theme: Theme,
    /// `?bg=transparent`: no page background, for embedding in a portal.
    pub transparent: bool,
    /// The parameters the page does not know (a portal's own, say), as written in the URL
    /// (`key` or `key=value`, still encoded), in their order: kept, and written back last.
    pub foreign: Vec<String>,
}

impl ViewState {
    /// The state after zooming to a window (a drag on a chart): an absolute range, with the
    /// drill-down cleared because it belonged to the old range. The bounds may come in either
    /// order; equal bounds are widened to one second.
    pub fn zoomed(&self, from_secs: i64, to_secs: i64) -> ViewState {
        let from = from_secs.min(to_secs);
        let to = from_secs.max(to_secs).max(from.saturating_add(1));
        self.with_range(RangeSpec::Absolute {
            from_secs: from,
            to_secs: to,
        })
    }

    /// The state showing another range: the drill-down (window, narrowing, open trace) is
    /// cleared, because it belonged to the old range. The list filter stays, as a preference.
    pub fn with_range(&self, range: RangeSpec) -> ViewState {
        ViewState {
            range,
            ..self.without_drill()
        }
    }

    /// The state with the drill-down opened on the traces of `[from_secs, to_secs]` narrowed
    /// to `op` (see `drill::narrowing`); no trace open yet.
    pub fn drilled(&self, from_secs: i64, to_secs: i64, op: Option<String>) -> ViewState {
        ViewState {
            drill: Some((from_secs, to_secs)),
            drill_op: op,
            trace: None,
            ..self.clone()
        }
    }

    /// The state after clicking an error spike: its window, narrowed to the handler filter,
    /// listing the error traces.
    pub fn drilled_into_spike(&self, from_secs: i64, to_secs: i64) -> ViewState {
        ViewState {
            trace_filter: TraceFilter::Errors,
            ..self.drilled(from_secs, to_secs, self.handler.clone())
        }
    }

    /// The state with the drill-down closed: no window, narrowing or open trace.
    pub fn without_drill(&self) -> ViewState {
        ViewState {
            drill: None,
            drill_op: None,
            trace: None,
            ..self.clone()
        }
    }

    /// The state with trace `trace_id` open in the drill-down's waterfall.
    pub fn with_trace(&self, trace_id: &str) -> ViewState {
        ViewState {
            trace: Some(trace_id.to_owned()),
            ..self.clone()
        }
    }

    /// The state after clicking a series in a panel's legend: that series alone, or, when it
    /// already is, every series again. Isolating in a new panel when [`MAX_ISOLATED_PANELS`]
    /// already have an isolation changes nothing (the dashboard has fewer panels than that).
    pub fn toggled_isolation(&self, panel: &str, series: &str) -> ViewState {
        let mut next = self.clone();
        if next.isolated.get(panel).map(String::as_str) == Some(series) {
            next.isolated.remove(panel);
        } else if next.isolated.contains_key(panel) || next.isolated.len() < MAX_ISOLATED_PANELS {
            next.isolated.insert(panel.to_owned(), series.to_owned());
        }
        next
    }

    /// The series shown alone in a panel, if any.
    pub fn isolated_series(&self, panel: &str) -> Option<&str> {
        self.isolated.get(panel).map(String::as_str)
    }

    /// The refresh to run: the URL's choice or the configuration's default, and off for an
    /// absolute range, which does not move, so reloading it would only repeat the same queries.
    pub fn effective_refresh(&self, config_default: Refresh) -> Refresh {
        match self.range {
            RangeSpec::Absolute { .. } => Refresh::Off,
            RangeSpec::Relative { .. } => self.refresh.unwrap_or(config_default),
        }
    }
}

/// A URL parameter that was ignored (or partly ignored) while decoding, for the shell to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateWarning {
    /// The parameter's name as written in the URL (`range`, `iso.request-rate`, …).
    pub param: String,
    /// What was wrong, as a phrase: `"banana" is not a duration such as 1h or 90m`.
    pub problem: String,
}

impl StateWarning {
    /// The one place warnings are made. Names and values from the URL are shortened so a
    /// hostile link cannot flood the page.
    fn new(param: &str, problem: impl Into<String>) -> Self {
        StateWarning {
            param: shorten(param),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for StateWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Ignored URL parameter `{}`: {}.",
            self.param, self.problem
        )
    }
}

/// The warning for a value of `param` that does not validate: `"banana" is not …`. One
/// function formats every such warning (the wasm build holds one copy of the formatting).
fn bad_value(param: &str, value: &str, problem: &str) -> StateWarning {
    StateWarning::new(param, format!("\"{}\" {problem}", shorten(value)))
}

/// At most 40 characters, with an ellipsis when cut.
fn shorten(text: &str) -> String {
    const MAX_CHARS: usize = 40;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Parses a duration written as a whole number and one unit: `30s`, `90m`, `1h`, `2d`, `1w`.
/// `None` for anything else (no sign, no fraction, no spaces, no mixed units) and on overflow.
/// Zero parses; whoever uses the duration decides whether it is allowed.
pub fn parse_duration_secs(text: &str) -> Option<u64> {
    let (&unit, digits) = text.as_bytes().split_last()?;
    if digits.is_empty() || digits.len() > 20 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let unit_secs = match unit {
        b's' => 1,
        b'm' => 60,
        b'h' => 3_600,
        b'd' => 86_400,
        b'w' => 7 * 86_400,
        _ => return None,
    };
    // All ASCII digits, so this is valid UTF-8 and only overflow can fail.
    let count: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    count.checked_mul(unit_secs)
}

/// Writes a duration in its largest exact unit: `45s`, `1m`, `90m`, `1h`, `24h`, `2d`. Days are
/// used only beyond one day, so a day reads `24h` as in the presets. The output parses back
/// with [`parse_duration_secs`].
pub fn format_duration(secs: u64) -> String {
    if secs > 86_400 && secs.is_multiple_of(86_400) {
        format!("{}d", secs / 86_400)
    } else if secs >= 3_600 && secs.is_multiple_of(3_600) {
        format!("{}h", secs / 3_600)
    } else if secs >= 60 && secs.is_multiple_of(60) {
        format!("{}m", secs / 60)
    } else {
        format!("{secs}s")
    }
}

/// The query string split and percent-decoded, before any validation: the last value of each
/// known parameter. Building it never fails.
#[derive(Debug, Default)]
struct RawQuery {
    range: Option<String>,
    from: Option<String>,
    to: Option<String>,
    refresh: Option<String>,
    handler: Option<String>,
    /// Every `cluster=` and `instance=`, in order.
    clusters: Vec<String>,
    instances: Vec<String>,
    stack: Option<String>,
    replicas: Option<String>,
    /// Decoded panel id (possibly empty or too long) → series name.
    isolated: StrMap,
    drill: Option<String>,
    traces: Option<String>,
    op: Option<String>,
    trace: Option<String>,
    panel: Option<String>,
    kiosk: bool,
    theme: Option<String>,
    bg: Option<String>,
    /// Parameters of no known name, as written.
    foreign: Vec<String>,
}

impl RawQuery {
    fn parse(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut raw = RawQuery::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode_component(key);
            let value = decode_component(value);
            let slot = match key.as_str() {
                "range" => &mut raw.range,
                "from" => &mut raw.from,
                "to" => &mut raw.to,
                "refresh" => &mut raw.refresh,
                "handler" => &mut raw.handler,
                "stack" => &mut raw.stack,
                "replicas" => &mut raw.replicas,
                "drill" => &mut raw.drill,
                "traces" => &mut raw.traces,
                "op" => &mut raw.op,
                "trace" => &mut raw.trace,
                "panel" => &mut raw.panel,
                "theme" => &mut raw.theme,
                "bg" => &mut raw.bg,
                "kiosk" => {
                    raw.kiosk = true;
                    continue;
                }
                "cluster" | "instance" => {
                    let list = if key == "cluster" { &mut raw.clusters } else { &mut raw.instances };
                    list.push(value);
                    continue;
                }
                _ => {
                    match key.strip_prefix(ISOLATION_PREFIX) {
                        Some(panel) => {
                            raw.isolated.insert(panel.to_owned(), value);
                        }
                        // A `?` is written encoded: at the front of the query it would read as
                        // the query's own mark.
                        None => raw.foreign.push(pair.replace('?', "%3F")),
                    }
                    continue;
                }
            };
            *slot = Some(value);
        }
        raw
    }
}

/// Reads the view state from a query string (`location.search`, with or without its `?`).
/// Never fails: each bad parameter keeps its default and adds a warning.
pub fn decode(query: &str) -> (ViewState, Vec<StateWarning>) {
    let raw = RawQuery::parse(query);
    let mut warnings = Warnings::default();
    let w = &mut warnings;

    let mut state = ViewState::default();
    let absolute = if raw.from.is_some() || raw.to.is_some() {
        w.keep(absolute_range(raw.from.as_deref(), raw.to.as_deref()))
    } else {
        None
    };
    // `from`/`to` win over `range`; if they are refused, `range` (or the default) applies.
    if let Some(range) =
        absolute.or_else(|| raw.range.as_deref().and_then(|v| w.keep(relative_range(v))))
    {
        state.range = range;
    }
    state.refresh = raw.refresh.as_deref().and_then(|v| w.keep(refresh(v)));
    state.handler = raw
        .handler
        .as_deref()
        .and_then(|v| w.keep(bounded_name("handler", v)));
    state.clusters = scope_values("cluster", &raw.clusters, w);
    state.instances = scope_values("instance", &raw.instances, w);
    state.stacked = raw
        .stack
        .as_deref()
        .and_then(|v| w.keep(flag("stack", v)))
        .unwrap_or(false);
    state.by_replica = raw
        .replicas
        .as_deref()
        .and_then(|v| w.keep(flag("replicas", v)))
        .unwrap_or(false);
    state.isolated = isolated(&raw.isolated, w);
    state.drill = raw.drill.as_deref().and_then(|v| w.keep(drill(v)));
    state.trace_filter = raw
        .traces
        .as_deref()
        .and_then(|v| {
            w.keep(
                TraceFilter::parse(v)
                    .ok_or_else(|| bad_value("traces", v, "is not errors, all or slow")),
            )
        })
        .unwrap_or_default();
    state.drill_op = raw
        .op
        .as_deref()
        .and_then(|v| w.keep(bounded_name("op", v)));
    state.trace = raw.trace.as_deref().and_then(|v| w.keep(trace_id(v)));
    state.panel = raw
        .panel
        .as_deref()
        .and_then(|v| w.keep(bounded_name("panel", v)));
    state.kiosk = raw.kiosk;
    state.theme = raw
        .theme
        .as_deref()
        .and_then(|v| w.keep(theme(v)))
        .unwrap_or_default();
    state.transparent = raw
        .bg
        .as_deref()
        .and_then(|v| w.keep(background(v)))
        .unwrap_or(false);
    state.foreign = raw.foreign;
    (state, warnings.0)
}

/// The warnings of one decode, in parameter order.
#[derive(Default)]
struct Warnings(Vec<StateWarning>);

impl Warnings {
    /// The value if it validated; otherwise the warning is recorded and the caller keeps the
    /// field's default.
    fn keep<T>(&mut self, validated: Result<T, StateWarning>) -> Option<T> {
        validated.map_err(|warning| self.0.push(warning)).ok()
    }
}

fn relative_range(value: &str) -> Result<RangeSpec, StateWarning> {
    let problem = |p: &str| bad_value("range", value, p);
    let duration_secs =
        parse_duration_secs(value).ok_or_else(|| problem("is not a duration such as 1h or 90m"))?;
    if duration_secs == 0 {
        return Err(problem("is an empty range"));
    }
    if duration_secs > MAX_RELATIVE_RANGE_SECS {
        return Err(problem("is longer than the 400-day maximum"));
    }
    Ok(RangeSpec::Relative { duration_secs })
}

fn absolute_range(from: Option<&str>, to: Option<&str>) -> Result<RangeSpec, StateWarning> {
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (Some(_), None) => {
            return Err(StateWarning::new(
                "to",
                "is missing (from and to go together)",
            ))
        }
        (None, _) => {
            return Err(StateWarning::new(
                "from",
                "is missing (from and to go together)",
            ))
        }
    };
    let from_secs = unix_secs(from).ok_or_else(|| not_unix_secs("from", from))?;
    let to_secs = unix_secs(to).ok_or_else(|| not_unix_secs("to", to))?;
    if from_secs >= to_secs {
        return Err(StateWarning::new(
            "from",
            format!("{from_secs} is not before to={to_secs}"),
        ));
    }
    Ok(RangeSpec::Absolute { from_secs, to_secs })
}

/// A Unix time in whole seconds between 1970 and 9999, digits only.
fn unix_secs(value: &str) -> Option<i64> {
    if value.is_empty() || value.len() > 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok().filter(|&secs| secs <= MAX_UNIX_SECS)
}

fn not_unix_secs(param: &str, value: &str) -> StateWarning {
    bad_value(param, value, "is not a time in whole Unix seconds")
}

fn refresh(value: &str) -> Result<Refresh, StateWarning> {
    REFRESH_CHOICES
        .iter()
        .copied()
        .find(|choice| choice.to_string() == value)
        .ok_or_else(|| {
            let choices: Vec<String> = REFRESH_CHOICES.iter().map(Refresh::to_string).collect();
            bad_value(
                "refresh",
                value,
                &format!("is not one of {}", choices.join(", ")),
            )
        })
}

/// A non-empty string of at most [`MAX_VALUE_BYTES`].
fn bounded_name(param: &str, value: &str) -> Result<String, StateWarning> {
    if value.is_empty() {
        return Err(StateWarning::new(param, "is empty"));
    }
    if value.len() > MAX_VALUE_BYTES {
        return Err(StateWarning::new(
            param,
            format!("is longer than {MAX_VALUE_BYTES} bytes"),
        ));
    }
    Ok(value.to_owned())
}

/// Adds `value` to a picker's chosen values (at the end) or takes it out.
pub fn toggle(values: &mut Vec<String>, value: String, on: bool) {
    values.retain(|v| *v != value);
    if on {
        values.push(value);
    }
}

/// The values of a repeatable scope parameter: each a [`bounded_name`], duplicates dropped, at
/// most [`MAX_SCOPE_VALUES`] (the rest refused with one warning).
fn scope_values(param: &str, raw: &[String], w: &mut Warnings) -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    for value in raw {
        if let Some(v) = w.keep(bounded_name(param, value)) {
            if !values.contains(&v) {
                values.push(v);
            }
        }
    }
    if values.len() > MAX_SCOPE_VALUES {
        w.keep::<()>(Err(StateWarning::new(param, format!("has more than {MAX_SCOPE_VALUES} values; the first {MAX_SCOPE_VALUES} are used"))));
        values.truncate(MAX_SCOPE_VALUES);
    }
    values
}

/// `1` (or `true`, or nothing) is on, `0` (or `false`) is off.
fn flag(param: &str, value: &str) -> Result<bool, StateWarning> {
    match value {
        "" | "1" | "true" => Ok(true),
        "0" | "false" => Ok(false),
        _ => Err(bad_value(param, value, "is not 1 or 0")),
    }
}

/// The isolated series: panel ids must be non-empty, names and ids bounded, and at most
/// [`MAX_ISOLATED_PANELS`] are kept (the first in panel-id order). Series names may be empty.
fn isolated(raw: &StrMap, warnings: &mut Warnings) -> StrMap {
    let mut kept = StrMap::new();
    for (panel, series) in raw {
        let param = format!("{ISOLATION_PREFIX}{panel}");
        let problem = if panel.is_empty() {
            Some("has no panel id after `iso.`".to_owned())
        } else if panel.len() > MAX_VALUE_BYTES {
            Some(format!(
                "has a panel id longer than {MAX_VALUE_BYTES} bytes"
            ))
        } else if series.len() > MAX_VALUE_BYTES {
            Some(format!(
                "has a series name longer than {MAX_VALUE_BYTES} bytes"
            ))
        } else if kept.len() == MAX_ISOLATED_PANELS {
            Some(format!(
                "more than {MAX_ISOLATED_PANELS} panels isolate a series"
            ))
        } else {
            kept.insert(panel.clone(), series.clone());
            None
        };
        if let Some(problem) = problem {
            warnings.0.push(StateWarning::new(&param, problem));
            if kept.len() == MAX_ISOLATED_PANELS {
                // One warning for the overflow is enough.
                break;
            }
        }
    }
    kept
}

fn drill(value: &str) -> Result<(i64, i64), StateWarning> {
    let window = value
        .split_once('-')
        .and_then(|(from, to)| Some((unix_secs(from)?, unix_secs(to)?)));
    match window {
        Some((from, to)) if from < to => Ok((from, to)),
        Some(_) => Err(bad_value("drill", value, "does not start before it ends")),
        None => Err(bad_value(
            "drill",
            value,
            "is not <from>-<to> in Unix seconds",
        )),
    }
}

/// A trace id: 1 to 32 hex digits, kept lowercase.
fn trace_id(value: &str) -> Result<String, StateWarning> {
    if !value.is_empty() && value.len() <= 32 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(bad_value(
            "trace",
            value,
            "is not a trace id (1 to 32 hex digits)",
        ))
    }
}

fn theme(value: &str) -> Result<Theme, StateWarning> {
    Theme::ALL
        .iter()
        .copied()
        .find(|t| t.as_str() == value)
        .ok_or_else(|| bad_value("theme", value, "is not dark, light or system"))
}

fn background(value: &str) -> Result<bool, StateWarning> {
    match value {
        "transparent" => Ok(true),
        _ => Err(bad_value("bg", value, "is not transparent")),
    }
}

/// Writes the canonical query string, without the leading `?`: parameters in a fixed order,
/// each omitted when it equals its default (so the default state is the empty string).
/// `decode(&encode(s)).0 == s` for every state [`decode`] can produce.
pub fn encode(state: &ViewState) -> String {
    let mut query = String::new();
    // `key=value`, both encoded; `None` writes a bare flag (`?panel=latency&kiosk` reads best).
    let mut push = |key: &str, value: Option<&str>| {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(&encode_component(key));
        if let Some(value) = value {
            query.push('=');
            query.push_str(&encode_component(value));
        }
    };
    match state.range {
        range if range == RangeSpec::default() => {}
        RangeSpec::Relative { duration_secs } => {
            push("range", Some(&format_duration(duration_secs)))
        }
        RangeSpec::Absolute { from_secs, to_secs } => {
            push("from", Some(&from_secs.to_string()));
            push("to", Some(&to_secs.to_string()));
        }
    }
    if let Some(refresh) = state.refresh {
        push("refresh", Some(&refresh.to_string()));
    }
    if let Some(handler) = &state.handler {
        push("handler", Some(handler));
    }
    for cluster in &state.clusters {
        push("cluster", Some(cluster));
    }
    for instance in &state.instances {
        push("instance", Some(instance));
    }
    if state.stacked {
        push("stack", Some("1"));
    }
    if state.by_replica {
        push("replicas", Some("1"));
    }
    for (panel, series) in &state.isolated {
        push(&format!("{ISOLATION_PREFIX}{panel}"), Some(series));
    }
    if let Some((from, to)) = state.drill {
        push("drill", Some(&format!("{from}-{to}")));
    }
    if state.trace_filter != TraceFilter::default() {
        push("traces", Some(state.trace_filter.as_str()));
    }
    if let Some(op) = &state.drill_op {
        push("op", Some(op));
    }
    if let Some(trace) = &state.trace {
        push("trace", Some(trace));
    }
    if let Some(panel) = &state.panel {
        push("panel", Some(panel));
    }
    if state.kiosk {
        push("kiosk", None);
    }
    if state.theme != Theme::System {
        push("theme", Some(state.theme.as_str()));
    }
    if state.transparent {
        push("bg", Some("transparent"));
    }
    for pair in &state.foreign {
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(pair);
    }
    query
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-24T16:00:00Z.
    const T0: i64 = 1_795_536_000;

    fn state(edit: impl FnOnce(&mut ViewState)) -> ViewState {
        let mut s = ViewState::default();
        edit(&mut s);
        s
    }

    fn iso(pairs: &[(&str, &str)]) -> StrMap {
        pairs
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect()
    }

    #[test]
    fn the_drill_down_opens_narrows_and_closes_as_one_change() {
        let base = state(|s| {
            s.handler = Some("/v1/search".into());
            s.trace_filter = TraceFilter::Slow;
            s.trace = Some("old".into());
        });
        let opened = base.drilled(T0, T0 + 60, Some("GET /v1/x".into()));
        assert_eq!(
            (opened.drill, opened.drill_op.as_deref(), opened.trace.as_deref()),
            (Some((T0, T0 + 60)), Some("GET /v1/x"), None)
        );
        assert_eq!(opened.trace_filter, TraceFilter::Slow, "a preference, kept");
        let spike = base.drilled_into_spike(T0, T0 + 60);
        assert_eq!(spike.drill_op.as_deref(), Some("/v1/search"));
        assert_eq!(spike.trace_filter, TraceFilter::Errors);
        let with_trace = spike.with_trace("abc");
        assert_eq!(with_trace.trace.as_deref(), Some("abc"));
        assert_eq!(with_trace.drill, spike.drill);
        let closed = with_trace.without_drill();
        assert_eq!((closed.drill, closed.drill_op, closed.trace), (None, None, None));
        assert_eq!(closed.handler, base.handler);
    }

    #[test]
    fn parameters_the_page_does_not_know_are_kept_as_written() {
        let (s, warnings) = decode("?kiosk&portal_tab=a%20b&panel=latency&range=1h&refresh=off&foo=bar&x");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(s.foreign, ["portal_tab=a%20b", "foo=bar", "x"]);
        let query = encode(&s);
        assert_eq!(query, "refresh=off&panel=latency&kiosk&portal_tab=a%20b&foo=bar&x");
        assert_eq!(decode(&query).0, s, "stable");
        // A change of the view keeps them.
        assert!(encode(&s.zoomed(T0, T0 + 60)).ends_with("&portal_tab=a%20b&foo=bar&x"));
    }

    /// Decodes `query` expecting no warning, and checks the state and its canonical encoding.
    fn check(query: &str, expected: &ViewState, canonical: &str) {
        let (got, warnings) = decode(query);
        assert!(
            warnings.is_empty(),
            "{query}: unexpected warnings {warnings:?}"
        );
        assert_eq!(&got, expected, "{query}");
        assert_eq!(encode(&got), canonical, "{query}");
    }

    /// Decodes `query` expecting exactly one warning, on `param`, whose text contains
    /// `problem`, and the state `expected` (the bad parameter at its default).
    #[test]
    fn drill_down_parameters() {
        let (s, w) = decode("drill=5-9&traces=slow&op=%2Fv1%2Fx&trace=ABCdef");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            (
                s.drill,
                s.trace_filter,
                s.drill_op.as_deref(),
                s.trace.as_deref()
            ),
            (
                Some((5, 9)),
                TraceFilter::Slow,
                Some("/v1/x"),
                Some("abcdef")
            )
        );
        assert_eq!(
            encode(&s),
            "drill=5-9&traces=slow&op=%2Fv1%2Fx&trace=abcdef"
        );
        let default = ViewState::default();
        check_warning(
            "traces=bogus",
            "traces",
            "not errors, all or slow",
            &default,
        );
        check_warning("trace=%3Cscript%3E", "trace", "not a trace id", &default);
        check_warning(
            &format!("trace={}", "a".repeat(33)),
            "trace",
            "not a trace id",
            &default,
        );
        check_warning("op=", "op", "is empty", &default);
        // Zooming leaves the investigation of the old window.
        let z = s.zoomed(1, 2);
        assert_eq!((z.drill, z.drill_op, z.trace), (None, None, None));
    }

    fn check_warning(query: &str, param: &str, problem: &str, expected: &ViewState) {
        let (got, warnings) = decode(query);
        assert_eq!(warnings.len(), 1, "{query}: {warnings:?}");
        assert_eq!(warnings[0].param, param, "{query}");
        assert!(
            warnings[0].problem.contains(problem),
            "{query}: {}",
            warnings[0]
        );
        assert_eq!(&got, expected, "{query}");
    }

    fn hostile_states() -> Vec<ViewState> {
        let hostile = [
            "<script>alert(1)</script>",
            "a&b=c",
            "ü",
            "%",
            "%zz",
            "%25",
            "two words",
            "+",
            "a+b",
            "\"quoted\" 'single'",
            "{library_id=\"lib-1\"}",
            "POST /v1/libraries/{library_id}/documents",
            "#fragment?x=1",
            "日本語 🚀",
            "=",
            "iso.x=y",
        ];
        let mut states: Vec<ViewState> = hostile
            .iter()
            .map(|h| {
                state(|s| {
                    s.handler = Some(h.to_string());
                    s.clusters = vec![h.to_string(), "eu-west".to_owned()];
                    s.instances = vec![h.to_string()];
                    s.panel = Some(h.to_string());
                    s.isolated = iso(&[(h, h), ("request-rate", h)]);
                })
            })
            .collect();
        states.push(state(|s| s.isolated = iso(&[("latency", "")])));
        states
    }

    #[test]
    fn decode_inverts_encode() {
        let mut states = vec![
            ViewState::default(),
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 6 * 3_600,
                }
            }),
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 90 * 60,
                }
            }),
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 86_400,
                }
            }),
            state(|s| s.range = RangeSpec::Relative { duration_secs: 37 }),
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: MAX_RELATIVE_RANGE_SECS,
                }
            }),
            state(|s| {
                s.range = RangeSpec::Absolute {
                    from_secs: T0,
                    to_secs: T0 + 3_600,
                }
            }),
            state(|s| {
                s.range = RangeSpec::Absolute {
                    from_secs: 0,
                    to_secs: 1,
                }
            }),
            state(|s| s.drill = Some((T0 + 10, T0 + 70))),
            state(|s| {
                s.drill = Some((T0, T0 + 60));
                s.trace_filter = TraceFilter::Slow;
                s.drill_op = Some("POST /v1/libraries/{library_id}/search".into());
                s.trace = Some("00000000000000000000000000010000".into());
            }),
            state(|s| s.trace_filter = TraceFilter::All),
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 7 * 86_400,
                };
                s.refresh = Some(Refresh::Every(300));
                s.stacked = true;
                s.handler = Some("POST /v1/libraries".into());
                s.isolated = iso(&[("request-rate", "GET /health"), ("latency", "p99")]);
                s.drill = Some((T0, T0 + 1));
                s.panel = Some("latency".into());
                s.kiosk = true;
                s.theme = Theme::Light;
                s.transparent = true;
            }),
        ];
        states.extend(
            REFRESH_CHOICES
                .iter()
                .map(|&r| state(|s| s.refresh = Some(r))),
        );
        states.extend(Theme::ALL.iter().map(|&t| state(|s| s.theme = t)));
        states.extend(
            PRESETS
                .iter()
                .map(|&(_, d)| state(|s| s.range = RangeSpec::Relative { duration_secs: d })),
        );
        states.extend(hostile_states());
        for s in states {
            let query = encode(&s);
            let (back, warnings) = decode(&query);
            assert!(warnings.is_empty(), "{query}: {warnings:?}");
            assert_eq!(back, s, "{query}");
            // With a leading `?`, as `location.search` gives it.
            assert_eq!(decode(&format!("?{query}")).0, s, "?{query}");
        }
    }

    #[test]
    fn clusters_and_instances_repeat_and_keep_their_order() {
        let (s, warnings) = decode("?instance=b%3A1&cluster=eu&instance=a%3A1&instance=b%3A1&instance=");
        assert_eq!(s.clusters, ["eu"]);
        assert_eq!(s.instances, ["b:1", "a:1"], "in order, the duplicate dropped");
        assert_eq!(warnings.len(), 1, "the empty one is refused: {warnings:?}");
        assert_eq!(encode(&s), "cluster=eu&instance=b%3A1&instance=a%3A1");
        let many: Vec<String> = (0..70).map(|i| format!("instance=r{i}")).collect();
        let (s, warnings) = decode(&many.join("&"));
        assert_eq!(s.instances.len(), MAX_SCOPE_VALUES);
        assert_eq!(s.instances.last().map(String::as_str), Some("r63"));
        assert!(warnings[0].to_string().contains("more than 64"), "{warnings:?}");
        let mut chosen = vec!["a".to_owned()];
        toggle(&mut chosen, "b".to_owned(), true);
        toggle(&mut chosen, "a".to_owned(), true);
        assert_eq!(chosen, ["b", "a"]);
        toggle(&mut chosen, "b".to_owned(), false);
        toggle(&mut chosen, "x".to_owned(), false);
        assert_eq!(chosen, ["a"]);
        // A zoom or a drill-down keeps the scope.
        let (s, _) = decode("cluster=eu&instance=a");
        assert_eq!((s.zoomed(T0, T0 + 60).clusters, s.drilled(T0, T0 + 60, None).instances), (s.clusters.clone(), s.instances.clone()));
    }

    #[test]
    fn encodings_are_canonical() {
        let c = |s: ViewState, expected: &str| assert_eq!(encode(&s), expected);
        c(ViewState::default(), "");
        c(
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 3_600,
                }
            }),
            "",
        );
        c(
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 86_400,
                }
            }),
            "range=24h",
        );
        c(
            state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 5_400,
                }
            }),
            "range=90m",
        );
        c(
            state(|s| {
                s.range = RangeSpec::Absolute {
                    from_secs: T0,
                    to_secs: T0 + 60,
                }
            }),
            "from=1795536000&to=1795536060",
        );
        c(state(|s| s.refresh = Some(Refresh::Off)), "refresh=off");
        c(
            state(|s| s.handler = Some("a&b=c".into())),
            "handler=a%26b%3Dc",
        );
        c(
            state(|s| {
                s.isolated = iso(&[
                    ("request-rate", "POST /v1/libraries"),
                    ("index-size", "{library_id=\"x\"}"),
                ])
            }),
            "iso.index-size=%7Blibrary_id%3D%22x%22%7D&iso.request-rate=POST%20%2Fv1%2Flibraries",
        );
        c(
            state(|s| {
                s.transparent = true;
                s.theme = Theme::Dark;
                s.kiosk = true;
                s.panel = Some("latency".into());
                s.drill = Some((5, 9));
                s.stacked = true;
                s.by_replica = true;
                s.refresh = Some(Refresh::Every(10));
                s.range = RangeSpec::Relative {
                    duration_secs: 6 * 3_600,
                };
            }),
            "range=6h&refresh=10s&stack=1&replicas=1&drill=5-9&panel=latency&kiosk&theme=dark&bg=transparent",
        );
    }

    #[test]
    fn hand_written_urls_decode() {
        check(
            "?range=6h&refresh=10s&iso.request-rate=POST%20%2Fv1%2Flibraries&kiosk",
            &state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 6 * 3_600,
                };
                s.refresh = Some(Refresh::Every(10));
                s.isolated = iso(&[("request-rate", "POST /v1/libraries")]);
                s.kiosk = true;
            }),
            "range=6h&refresh=10s&iso.request-rate=POST%20%2Fv1%2Flibraries&kiosk",
        );
        check("", &ViewState::default(), "");
        check("?", &ViewState::default(), "");
        check("?&&", &ViewState::default(), "");
        // Unknown parameters (a portal's own) are kept as written, after the page's own.
        check(
            "?portal=ops&utm_source=mail&range=1h",
            &state(|s| s.foreign = vec!["portal=ops".into(), "utm_source=mail".into()]),
            "portal=ops&utm_source=mail",
        );
        // `+` is a space; `1w` is 7d; `kiosk=1` and even `kiosk=0` turn kiosk on.
        check(
            "handler=GET+%2Fhealth&range=1w&kiosk=1&stack=true",
            &state(|s| {
                s.handler = Some("GET /health".into());
                s.range = RangeSpec::Relative {
                    duration_secs: 7 * 86_400,
                };
                s.kiosk = true;
                s.stacked = true;
            }),
            "range=7d&handler=GET%20%2Fhealth&stack=1&kiosk",
        );
        check("kiosk=0", &state(|s| s.kiosk = true), "kiosk");
        check("stack=0&theme=system", &ViewState::default(), "");
        // The last repeated value wins, so a portal can override a permalink.
        check(
            "range=1h&range=15m",
            &state(|s| s.range = RangeSpec::Relative { duration_secs: 900 }),
            "range=15m",
        );
        // `from`/`to` win over `range`.
        check(
            "range=6h&from=1795536000&to=1795539600",
            &state(|s| {
                s.range = RangeSpec::Absolute {
                    from_secs: T0,
                    to_secs: T0 + 3_600,
                }
            }),
            "from=1795536000&to=1795539600",
        );
        // Encoded keys decode too.
        check(
            "%69so.latency=p99",
            &state(|s| s.isolated = iso(&[("latency", "p99")])),
            "iso.latency=p99",
        );
        check(
            "iso.latency",
            &state(|s| s.isolated = iso(&[("latency", "")])),
            "iso.latency=",
        );
    }

    #[test]
    fn bad_parameters_keep_their_defaults_and_warn() {
        let default = ViewState::default();
        check_warning(
            "range=banana",
            "range",
            "\"banana\" is not a duration",
            &default,
        );
        check_warning("range=0m", "range", "empty range", &default);
        check_warning("range=401d", "range", "400-day", &default);
        check_warning("range=-1h", "range", "not a duration", &default);
        check_warning(
            "range=99999999999999999999999d",
            "range",
            "not a duration",
            &default,
        );
        check_warning(
            "from=1795539600&to=1795536000",
            "from",
            "not before",
            &default,
        );
        check_warning(
            "from=1795536000&to=1795536000",
            "from",
            "not before",
            &default,
        );
        check_warning("from=1795536000", "to", "missing", &default);
        check_warning("to=1795536000", "from", "missing", &default);
        check_warning(
            "from=yesterday&to=1795536000",
            "from",
            "\"yesterday\" is not a time",
            &default,
        );
        check_warning("from=1&to=99999999999999", "to", "not a time", &default);
        check_warning("from=1.5&to=9", "from", "not a time", &default);
        // A refused absolute range falls back to `range` when there is one.
        check_warning(
            "range=6h&from=9&to=3",
            "from",
            "not before",
            &state(|s| {
                s.range = RangeSpec::Relative {
                    duration_secs: 6 * 3_600,
                }
            }),
        );
        check_warning(
            "refresh=7s",
            "refresh",
            "\"7s\" is not one of off, 5s, 10s, 30s, 1m, 5m",
            &default,
        );
        check_warning("refresh=60s", "refresh", "not one of", &default);
        check_warning("drill=5-3", "drill", "does not start before", &default);
        check_warning("drill=5", "drill", "not <from>-<to>", &default);
        check_warning("drill=-5-3", "drill", "not <from>-<to>", &default);
        check_warning(
            "theme=purple",
            "theme",
            "\"purple\" is not dark, light or system",
            &default,
        );
        check_warning("bg=blue", "bg", "not transparent", &default);
        check_warning("stack=maybe", "stack", "not 1 or 0", &default);
        check_warning("replicas=all", "replicas", "not 1 or 0", &default);
        check_warning("handler=", "handler", "is empty", &default);
        check_warning(
            &format!("handler={}", "h".repeat(513)),
            "handler",
            "longer than 512",
            &default,
        );
        check_warning("panel=", "panel", "is empty", &default);
        check_warning("iso.=x", "iso.", "no panel id", &default);
        check_warning(
            &format!("iso.latency={}", "s".repeat(513)),
            "iso.latency",
            "longer than 512",
            &default,
        );
        // Good parameters beside a bad one are kept.
        check_warning(
            "range=banana&theme=dark",
            "range",
            "not a duration",
            &state(|s| s.theme = Theme::Dark),
        );
        // Exactly at the bound is fine.
        let handler = "h".repeat(512);
        check(
            &format!("handler={handler}"),
            &state(|s| s.handler = Some(handler.clone())),
            &format!("handler={handler}"),
        );
    }

    #[test]
    fn warnings_read_as_a_sentence_and_stay_short() {
        let (_, warnings) = decode(&format!("theme={}", "x".repeat(10_000)));
        let text = warnings[0].to_string();
        assert!(
            text.starts_with("Ignored URL parameter `theme`: \"xxxx"),
            "{text}"
        );
        assert!(
            text.ends_with("…\" is not dark, light or system."),
            "{text}"
        );
        assert!(text.len() < 120, "{text}");
    }

    #[test]
    fn at_most_32_panels_are_isolated_with_one_warning() {
        let query: Vec<String> = (0..40).map(|i| format!("iso.p{i:02}=s")).collect();
        let (got, warnings) = decode(&query.join("&"));
        assert_eq!(got.isolated.len(), MAX_ISOLATED_PANELS);
        assert_eq!(
            got.isolated.keys().next_back().map(String::as_str),
            Some("p31")
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert_eq!(warnings[0].param, "iso.p32");
        assert_eq!(decode(&encode(&got)).0, got);
    }

    #[test]
    fn percent_decoding_is_exact_and_never_panics() {
        let check =
            |input: &str, expected: &str| assert_eq!(decode_component(input), expected, "{input}");
        check("POST%20%2Fv1", "POST /v1");
        check("a+b%2Bc", "a b+c");
        check("%C3%BC%c3%bc", "üü");
        check("%F0%9F%9A%80", "🚀");
        check("%", "%");
        check("%zz", "%zz");
        check("%4", "%4");
        check("100%", "100%");
        check("%%41", "%A");
        check("%80", "\u{FFFD}");
        check("%C3", "\u{FFFD}");
        check("%C3x", "\u{FFFD}x");
        check("%FF%FE", "\u{FFFD}\u{FFFD}");
        check("ü", "ü");
        check("", "");
        for s in [
            "<script>alert(1)</script>",
            "a&b=c",
            "ü %",
            "{library_id=\"x\"}",
            "日本語 🚀+",
        ] {
            check(&encode_component(s), s);
        }
        // Whole queries with broken escapes decode without a panic, as far as they make sense.
        let (got, _) = decode("?handler=%&panel=%zz&iso.%E2%82=%C3&range=%");
        assert_eq!(got.handler.as_deref(), Some("%"));
        assert_eq!(got.panel.as_deref(), Some("%zz"));
        assert_eq!(got.isolated, iso(&[("\u{FFFD}", "\u{FFFD}")]));
        assert_eq!(got.range, RangeSpec::default());
    }

    #[test]
    fn arbitrary_queries_decode_to_states_that_round_trip() {
        // A small deterministic fuzz: queries of known and unknown keys with values made of the
        // query string's special characters. Whatever decode makes of them (it must not panic)
        // must encode and decode back to itself.
        const KEYS: &[&str] = &[
            "range",
            "from",
            "to",
            "refresh",
            "iso.",
            "iso.latency",
            "drill",
            "panel",
            "handler",
            "cluster",
            "instance",
            "kiosk",
            "stack",
            "replicas",
            "theme",
            "bg",
            "x",
            "",
            "%69so.a",
        ];
        const VALUE_PIECES: &[&str] = &[
            "&",
            "=",
            "%",
            "%2",
            "%C3",
            "%BC",
            "%80",
            "+",
            "-",
            "1",
            "5",
            "9",
            "h",
            "m",
            "s",
            "d",
            "ü",
            "?",
            "#",
            " ",
            "dark",
            "transparent",
            "off",
            "10s",
            "1795536000",
            "<b>",
        ];
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) as usize % n
        };
        let mut non_default = 0;
        for _ in 0..5_000 {
            let mut params = Vec::new();
            for _ in 0..next(6) {
                let mut param = KEYS[next(KEYS.len())].to_owned();
                if next(4) > 0 {
                    param.push('=');
                    for _ in 0..next(4) {
                        param.push_str(VALUE_PIECES[next(VALUE_PIECES.len())]);
                    }
                }
                params.push(param);
            }
            let query = params.join("&");
            let (got, _) = decode(&query);
            non_default += usize::from(got != ViewState::default());
            let canonical = encode(&got);
            let (again, warnings) = decode(&canonical);
            assert!(warnings.is_empty(), "{query} -> {canonical}: {warnings:?}");
            assert_eq!(again, got, "{query} -> {canonical}");
            assert_eq!(encode(&again), canonical);
        }
        // The fuzz reaches real states, not only the default.
        assert!(
            non_default > 2_000,
            "only {non_default} of 5,000 queries changed the state"
        );
    }

    #[test]
    fn durations_parse_and_format() {
        let check = |text: &str, expected: Option<u64>| {
            assert_eq!(parse_duration_secs(text), expected, "{text}")
        };
        check("90m", Some(5_400));
        check("30s", Some(30));
        check("1h", Some(3_600));
        check("2d", Some(172_800));
        check("1w", Some(604_800));
        check("0s", Some(0));
        for bad in [
            "",
            "h",
            "1",
            "1.5h",
            "-1h",
            "+1h",
            " 1h",
            "1h ",
            "1H",
            "1h30m",
            "1y",
            "ü",
            "1ü",
            "99999999999999999999d",
        ] {
            check(bad, None);
        }
        let f = |secs: u64, expected: &str| {
            assert_eq!(format_duration(secs), expected);
            assert_eq!(parse_duration_secs(expected), Some(secs));
        };
        f(0, "0s");
        f(45, "45s");
        f(60, "1m");
        f(90, "90s");
        f(5_400, "90m");
        f(3_600, "1h");
        f(86_400, "24h");
        f(129_600, "36h");
        f(172_800, "2d");
        for &(label, secs) in PRESETS {
            f(secs, label);
        }
        for r in REFRESH_CHOICES {
            assert_eq!(decode(&format!("refresh={r}")).0.refresh, Some(*r));
        }
    }

    #[test]
    fn ranges_resolve_against_now() {
        let now = T0 as f64 + 0.5;
        let r = RangeSpec::Relative {
            duration_secs: 3_600,
        }
        .resolve(now);
        assert_eq!((r.start_secs(), r.end_secs()), (now - 3_600.0, now));
        let r = RangeSpec::Absolute {
            from_secs: T0,
            to_secs: T0 + 60,
        }
        .resolve(now);
        assert_eq!(
            (r.start_secs(), r.end_secs()),
            (T0 as f64, T0 as f64 + 60.0)
        );
        // States decode never makes still resolve, without a panic.
        let r = RangeSpec::Relative { duration_secs: 0 }.resolve(now);
        assert_eq!(r.duration_secs(), 1.0);
        let r = RangeSpec::Absolute {
            from_secs: T0,
            to_secs: T0 - 5,
        }
        .resolve(now);
        assert_eq!((r.start_secs(), r.end_secs()), (T0 as f64, T0 as f64 + 1.0));
        let r = RangeSpec::Relative { duration_secs: 60 }.resolve(f64::NAN);
        assert_eq!((r.start_secs(), r.end_secs()), (0.0, 1.0));
        let r = RangeSpec::Absolute {
            from_secs: i64::MAX,
            to_secs: i64::MAX,
        }
        .resolve(now);
        assert!(r.duration_secs() > 0.0);
    }

    #[test]
    fn labels_are_short() {
        let check = |range: RangeSpec, offset: i64, expected: &str| {
            assert_eq!(range.label_in(offset), expected)
        };
        check(
            RangeSpec::Relative {
                duration_secs: 3_600,
            },
            0,
            "last 1h",
        );
        check(
            RangeSpec::Relative {
                duration_secs: 5_400,
            },
            0,
            "last 90m",
        );
        check(
            RangeSpec::Absolute {
                from_secs: T0,
                to_secs: T0 + 3_600,
            },
            0,
            "2026-11-24 16:00 → 17:00 UTC",
        );
        check(
            RangeSpec::Absolute {
                from_secs: T0,
                to_secs: T0 + 10 * 3_600,
            },
            0,
            "2026-11-24 16:00 → 2026-11-25 02:00 UTC",
        );
        check(
            RangeSpec::Absolute {
                from_secs: T0 + 15,
                to_secs: T0 + 45,
            },
            0,
            "2026-11-24 16:00:15 → 16:00:45 UTC",
        );
        check(
            RangeSpec::Absolute {
                from_secs: T0,
                to_secs: T0 + 3_600,
            },
            3_600,
            "2026-11-24 17:00 → 18:00 UTC+01:00",
        );
        check(
            RangeSpec::Absolute {
                from_secs: T0,
                to_secs: T0 + 3_600,
            },
            -19_800,
            "2026-11-24 10:30 → 11:30 UTC-05:30",
        );
        assert_eq!(RangeSpec::default().label(), "last 1h");
    }

    #[test]
    fn zoom_and_isolation_helpers() {
        let start = state(|s| {
            s.drill = Some((T0, T0 + 5));
            s.refresh = Some(Refresh::Every(5));
        });
        let z = start.zoomed(T0 + 600, T0);
        assert_eq!(
            z.range,
            RangeSpec::Absolute {
                from_secs: T0,
                to_secs: T0 + 600
            }
        );
        assert_eq!((z.drill, z.refresh), (None, Some(Refresh::Every(5))));
        assert_eq!(
            start.zoomed(T0, T0).range,
            RangeSpec::Absolute {
                from_secs: T0,
                to_secs: T0 + 1
            }
        );
        assert_eq!(decode(&encode(&z)).0, z);

        let a = ViewState::default().toggled_isolation("request-rate", "GET /health");
        assert_eq!(a.isolated_series("request-rate"), Some("GET /health"));
        let b = a.toggled_isolation("request-rate", "POST /v1/libraries");
        assert_eq!(
            b.isolated_series("request-rate"),
            Some("POST /v1/libraries")
        );
        let c = b.toggled_isolation("request-rate", "POST /v1/libraries");
        assert_eq!(c, ViewState::default());
        let full = (0..MAX_ISOLATED_PANELS).fold(ViewState::default(), |s, i| {
            s.toggled_isolation(&format!("p{i}"), "s")
        });
        assert_eq!(full.isolated.len(), MAX_ISOLATED_PANELS);
        assert_eq!(full.toggled_isolation("another", "s"), full);
        assert_eq!(
            full.toggled_isolation("p0", "t").isolated_series("p0"),
            Some("t")
        );
    }

    #[test]
    fn effective_refresh_follows_the_url_then_the_config() {
        let config = Refresh::from_config_secs(30);
        assert_eq!(
            ViewState::default().effective_refresh(config),
            Refresh::Every(30)
        );
        assert_eq!(
            state(|s| s.refresh = Some(Refresh::Off)).effective_refresh(config),
            Refresh::Off
        );
        assert_eq!(
            ViewState::default()
                .zoomed(T0, T0 + 60)
                .effective_refresh(config),
            Refresh::Off
        );
        assert_eq!(Refresh::from_config_secs(0), Refresh::Off);
        assert_eq!(Refresh::Every(10).period_secs(), Some(10));
        assert_eq!(Refresh::Off.period_secs(), None);
    }
}
