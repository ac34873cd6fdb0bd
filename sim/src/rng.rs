//! Deterministic randomness without state: every draw is a pure function of the seed and a key
//! (tick, stream, index), so any tick can be recomputed on its own, in any order, with the same
//! result (the property the live server, the backfill and the traces rely on).

/// The streams of random draws; each gets its own key space so that adding a draw to one part
/// of the model does not shift the draws of another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Stream {
    TrafficSlow = 1,
    TrafficFast,
    HttpCounts,
    BucketRounding,
    SizeNoise,
    LibrarySplit,
    LibraryActivity,
    CacheSplit,
    CacheRatio,
    InProgress,
    Cpu,
    Memory,
    TraceSample,
    TraceId,
    TraceDetail,
    SpanId,
    Replica,
}

/// SplitMix64's finaliser: a bijective 64-bit mix with good avalanche.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A hash of the seed, a stream and a list of integers.
pub(crate) fn hash(seed: u64, stream: Stream, parts: &[u64]) -> u64 {
    let mut h = mix64(seed ^ mix64(stream as u64));
    for &p in parts {
        h = mix64(h ^ p);
    }
    h
}

/// A uniform draw in [0, 1) from a hash.
pub(crate) fn unit(h: u64) -> f64 {
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A small counter-based generator (SplitMix64) started from a hashed key.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64, stream: Stream, parts: &[u64]) -> Rng {
        Rng { state: hash(seed, stream, parts) }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        unit(self.next_u64())
    }

    /// Standard normal (Box-Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A Poisson draw: exact (Knuth) for small means, a rounded normal above 30, which is
    /// indistinguishable at the scale of a dashboard.
    pub(crate) fn poisson(&mut self, mean: f64) -> u64 {
        if mean <= 0.0 || !mean.is_finite() {
            return 0;
        }
        if mean < 30.0 {
            let limit = (-mean).exp();
            let mut product = self.uniform();
            let mut k = 0;
            while product > limit {
                k += 1;
                product *= self.uniform();
            }
            k
        } else {
            (mean + mean.sqrt() * self.normal()).round().max(0.0) as u64
        }
    }
}

/// Smooth value noise in [-1, 1]: random values at integer knots of `x`, joined by a
/// smoothstep, so that it wanders without jumps. `x` is time divided by the wander period.
pub(crate) fn value_noise(seed: u64, stream: Stream, salt: u64, x: f64) -> f64 {
    let knot = x.floor();
    let frac = x - knot;
    let knot = knot as i64 as u64;
    let at = |k: u64| 2.0 * unit(hash(seed, stream, &[salt, k])) - 1.0;
    let (a, b) = (at(knot), at(knot.wrapping_add(1)));
    let s = frac * frac * (3.0 - 2.0 * frac);
    a + (b - a) * s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_means_are_right() {
        for mean in [0.01, 0.5, 3.0, 29.0, 31.0, 400.0] {
            let n = 20_000;
            let total: u64 = (0..n).map(|i| Rng::new(7, Stream::HttpCounts, &[i]).poisson(mean)).sum();
            let observed = total as f64 / n as f64;
            let tolerance = 4.0 * (mean / n as f64).sqrt() + 1e-9;
            assert!((observed - mean).abs() < tolerance, "mean {mean}: observed {observed}");
        }
    }

    #[test]
    fn value_noise_is_bounded_and_continuous() {
        let mut previous = value_noise(3, Stream::TrafficSlow, 0, 0.0);
        for i in 1..10_000 {
            let x = i as f64 * 0.001;
            let v = value_noise(3, Stream::TrafficSlow, 0, x);
            assert!((-1.0..=1.0).contains(&v));
            assert!((v - previous).abs() < 0.01, "jump at {x}");
            previous = v;
        }
    }
}
