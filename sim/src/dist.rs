//! Latency distributions and how a tick's observations land in histogram buckets.
//!
//! A tick's `n` requests of one kind have a log-normal latency. Their cumulative bucket counts
//! are `floor(n * CDF(le) + u)` for one uniform offset `u` (systematic rounding): integers,
//! monotone in `le`, exactly `n` at `+Inf`, and right on average. The sum adds, per bucket, its
//! count times the distribution's mean inside that bucket, so `_sum` agrees with the buckets.

/// A log-normal latency distribution, given by its median and the standard deviation of its
/// logarithm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogNormal {
    /// The median latency in seconds (`exp(mu)`).
    pub median_secs: f64,
    /// The standard deviation of `ln(latency)`.
    pub sigma: f64,
}

impl LogNormal {
    fn mu(&self) -> f64 {
        self.median_secs.ln()
    }

    /// P(latency <= x_secs).
    pub fn cdf(&self, x_secs: f64) -> f64 {
        if x_secs <= 0.0 {
            return 0.0;
        }
        normal_cdf((x_secs.ln() - self.mu()) / self.sigma)
    }

    /// P(latency > x_secs), accurate in the far tail.
    pub fn survival(&self, x_secs: f64) -> f64 {
        if x_secs <= 0.0 {
            return 1.0;
        }
        normal_cdf(-(x_secs.ln() - self.mu()) / self.sigma)
    }

    /// The mean latency in seconds.
    pub fn mean_secs(&self) -> f64 {
        (self.mu() + 0.5 * self.sigma * self.sigma).exp()
    }

    /// The quantile `q` in seconds.
    pub fn quantile_secs(&self, q: f64) -> f64 {
        (self.mu() + self.sigma * normal_quantile(q)).exp()
    }

    /// E[X; X <= x]: the part of the mean below `x`.
    fn partial_mean_below(&self, x_secs: f64) -> f64 {
        if x_secs <= 0.0 {
            return 0.0;
        }
        let s2 = self.sigma * self.sigma;
        self.mean_secs() * normal_cdf((x_secs.ln() - self.mu() - s2) / self.sigma)
    }

    /// E[X; X > x]: the part of the mean above `x`.
    fn partial_mean_above(&self, x_secs: f64) -> f64 {
        if x_secs <= 0.0 {
            return self.mean_secs();
        }
        let s2 = self.sigma * self.sigma;
        self.mean_secs() * normal_cdf(-(x_secs.ln() - self.mu() - s2) / self.sigma)
    }

    /// The mean latency of the observations that fall in (lower, upper] (`upper` infinite for
    /// the last bucket), kept inside the bucket when the probabilities are too small to divide.
    fn mean_within(&self, lower_secs: f64, upper_secs: f64) -> f64 {
        let (mass, probability) = if upper_secs.is_finite() {
            (
                self.partial_mean_below(upper_secs) - self.partial_mean_below(lower_secs),
                self.cdf(upper_secs) - self.cdf(lower_secs),
            )
        } else {
            (self.partial_mean_above(lower_secs), self.survival(lower_secs))
        };
        let fallback = if upper_secs.is_finite() {
            if lower_secs > 0.0 {
                (lower_secs * upper_secs).sqrt()
            } else {
                upper_secs / 2.0
            }
        } else {
            lower_secs.max(self.median_secs) * 1.5
        };
        let mean = if probability > 1e-12 && mass > 0.0 { mass / probability } else { fallback };
        mean.clamp(lower_secs, if upper_secs.is_finite() { upper_secs } else { f64::MAX })
    }

    /// Adds `count` observations to cumulative bucket counts (`cumulative[i]` for
    /// `le = bounds_secs[i]`; the `+Inf` bucket is the count, kept by the caller) and returns
    /// the sum of their latencies. `u` in [0, 1) is the rounding offset.
    pub fn observe(&self, count: u64, u: f64, bounds_secs: &[f64], cumulative: &mut [u64]) -> f64 {
        debug_assert_eq!(bounds_secs.len(), cumulative.len());
        if count == 0 {
            return 0.0;
        }
        let n = count as f64;
        let mut sum_secs = 0.0;
        let mut below = 0u64;
        let mut lower = 0.0;
        for (bound, slot) in bounds_secs.iter().zip(cumulative.iter_mut()) {
            let at_bound = ((n * self.cdf(*bound) + u).floor() as u64).clamp(below, count);
            if at_bound > below {
                sum_secs += (at_bound - below) as f64 * self.mean_within(lower, *bound);
            }
            *slot += at_bound;
            below = at_bound;
            lower = *bound;
        }
        if count > below {
            sum_secs += (count - below) as f64 * self.mean_within(lower, f64::INFINITY);
        }
        sum_secs
    }
}

/// Splits `count` items over shares (not necessarily normalised) by systematic rounding with
/// offset `u` in [0, 1): the parts are integers, add up to `count`, and are right on average.
pub fn split_count(count: u64, shares: &[f64], u: f64, out: &mut [u64]) {
    debug_assert_eq!(shares.len(), out.len());
    let total: f64 = shares.iter().sum();
    if count == 0 || total <= 0.0 {
        out.iter_mut().for_each(|o| *o = 0);
        return;
    }
    let n = count as f64;
    let mut cumulative_share = 0.0;
    let mut below = 0u64;
    let last = shares.len() - 1;
    for (i, (share, slot)) in shares.iter().zip(out.iter_mut()).enumerate() {
        cumulative_share += share;
        let at = if i == last {
            count
        } else {
            ((n * (cumulative_share / total).min(1.0) + u).floor() as u64).clamp(below, count)
        };
        *slot = at - below;
        below = at;
    }
}

/// The standard normal CDF, from erfc with a relative error below 1.2e-7 everywhere
/// (Numerical Recipes' Chebyshev fit), which keeps the tails usable.
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The standard normal quantile: the root of `normal_cdf(x) = q` (exactly the inverse of the
/// CDF the buckets are counted with, so quantiles fall in the buckets it counts), by Newton's
/// method from Acklam's approximation (relative error 1.2e-9), which it refines to a few ulps
/// in two or three steps. Clamped to [-12, 12].
pub fn normal_quantile(q: f64) -> f64 {
    if q.is_nan() || q <= 0.0 {
        return -12.0;
    }
    if q >= 1.0 {
        return 12.0;
    }
    let mut x = acklam_quantile(q);
    let inverse_sqrt_tau = 1.0 / std::f64::consts::TAU.sqrt();
    for _ in 0..8 {
        let density = inverse_sqrt_tau * (-0.5 * x * x).exp();
        if density < 1e-300 {
            break;
        }
        let step = (normal_cdf(x) - q) / density;
        x -= step;
        if step.abs() <= 1e-15 * (1.0 + x.abs()) {
            break;
        }
    }
    x.clamp(-12.0, 12.0)
}

/// Peter Acklam's rational approximation of the normal quantile, for `q` in (0, 1).
fn acklam_quantile(q: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_690e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_671_010_115_293,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const LOW: f64 = 0.024_25;
    let tail = |p: f64| {
        let t = (-2.0 * p.ln()).sqrt();
        (((((C[0] * t + C[1]) * t + C[2]) * t + C[3]) * t + C[4]) * t + C[5])
            / ((((D[0] * t + D[1]) * t + D[2]) * t + D[3]) * t + 1.0)
    };
    if q < LOW {
        tail(q)
    } else if q > 1.0 - LOW {
        -tail(1.0 - q)
    } else {
        let r = q - 0.5;
        let s = r * r;
        (((((A[0] * s + A[1]) * s + A[2]) * s + A[3]) * s + A[4]) * s + A[5]) * r
            / (((((B[0] * s + B[1]) * s + B[2]) * s + B[3]) * s + B[4]) * s + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: [f64; 11] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 10.0];

    #[test]
    fn normal_cdf_known_values() {
        for (z, expected) in
            [(0.0, 0.5), (1.0, 0.841_344_746), (-1.959_963_985, 0.025), (3.0, 0.998_650_102), (-6.0, 9.865_876_45e-10)]
        {
            let got = normal_cdf(z);
            assert!((got - expected).abs() <= 2e-7 * expected.max(1e-3), "Phi({z}) = {got}, expected {expected}");
        }
    }

    #[test]
    fn observe_is_integer_monotone_and_consistent() {
        for (median, sigma, count) in
            [(0.045, 0.55, 280u64), (0.6, 0.65, 31), (0.003, 0.4, 1), (3.0, 1.0, 1000), (0.02, 0.5, 0)]
        {
            let d = LogNormal { median_secs: median, sigma };
            for u in [0.0, 0.37, 0.999] {
                let mut cumulative = [0u64; 11];
                let sum = d.observe(count, u, &BOUNDS, &mut cumulative);
                assert!(cumulative.windows(2).all(|w| w[0] <= w[1]), "{cumulative:?}");
                assert!(cumulative[10] <= count);
                // The sum lies between the bucket edges the observations fell in.
                let mut low = 0.0;
                let mut high = 0.0;
                let mut below = 0;
                let mut lower = 0.0;
                for (b, c) in BOUNDS.iter().zip(cumulative) {
                    low += (c - below) as f64 * lower;
                    high += (c - below) as f64 * b;
                    below = c;
                    lower = *b;
                }
                low += (count - below) as f64 * 10.0;
                high += if count > below { f64::INFINITY } else { 0.0 };
                assert!(sum >= low - 1e-9 && sum <= high + 1e-9, "sum {sum} outside [{low}, {high}]");
            }
        }
    }

    #[test]
    fn observe_is_right_on_average() {
        let d = LogNormal { median_secs: 0.2, sigma: 0.8 };
        let mut cumulative = [0u64; 11];
        let mut sum = 0.0;
        let ticks = 5_000;
        for i in 0..ticks {
            sum += d.observe(7, (i as f64 * 0.618_033_988_7).fract(), &BOUNDS, &mut cumulative);
        }
        let n = (7 * ticks) as f64;
        for (b, c) in BOUNDS.iter().zip(cumulative) {
            assert!((c as f64 / n - d.cdf(*b)).abs() < 0.002, "le {b}");
        }
        assert!((sum / n - d.mean_secs()).abs() / d.mean_secs() < 0.01, "mean {} vs {}", sum / n, d.mean_secs());
    }

    #[test]
    fn split_count_adds_up() {
        for (count, shares) in
            [(10u64, vec![0.5, 0.3, 0.2]), (1, vec![1.0, 1.0]), (0, vec![1.0]), (97, vec![0.0, 2.0, 0.0, 1.0])]
        {
            for u in [0.0, 0.5, 0.99] {
                let mut out = vec![0; shares.len()];
                split_count(count, &shares, u, &mut out);
                assert_eq!(out.iter().sum::<u64>(), count);
                for (share, part) in shares.iter().zip(&out) {
                    if *share == 0.0 {
                        assert_eq!(*part, 0);
                    }
                }
            }
        }
    }

    #[test]
    fn quantile_is_the_root_of_the_cdf() {
        let bisection = |q: f64| {
            let (mut lo, mut hi) = (-12.0f64, 12.0f64);
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if normal_cdf(mid) < q {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            0.5 * (lo + hi)
        };
        let mut q = 1e-12;
        while q < 1.0 - 1e-12 {
            let (newton, bisected) = (normal_quantile(q), bisection(q));
            // Where the CDF is flat to double precision (near 1) roots differ by more than ulps,
            // so the test is the CDF's value, as good as bisection's.
            let miss = |x: f64| (normal_cdf(x) - q).abs();
            assert!(miss(newton) <= miss(bisected) + 4.0 * f64::EPSILON, "q {q}: {newton} vs {bisected}");
            let plateau = 16.0 * f64::EPSILON / ((-0.5 * bisected * bisected).exp() / std::f64::consts::TAU.sqrt());
            assert!((newton - bisected).abs() <= 1e-12 + plateau, "q {q}: {newton} vs {bisected}");
            q = if q < 0.5 { q * 1.37 } else { 1.0 - (1.0 - q) / 1.37 };
            if (q - 0.5).abs() < 0.01 {
                q = 0.51;
            }
        }
        assert_eq!((normal_quantile(0.0), normal_quantile(1.0)), (-12.0, 12.0));
    }

    #[test]
    fn quantile_inverts_cdf() {
        let d = LogNormal { median_secs: 0.045, sigma: 0.55 };
        let p95 = d.quantile_secs(0.95);
        assert!((d.cdf(p95) - 0.95).abs() < 1e-6);
    }
}
