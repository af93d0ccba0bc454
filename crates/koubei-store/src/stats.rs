//! The few statistics the dashboard shows beside a share: its confidence interval and
//! whether two shares differ by more than chance.

/// z for a two-sided 95 % interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Wilson's score interval for `successes` out of `trials` at 95 %, or `None` without
/// trials. Unlike the textbook p ± z·se it stays inside [0, 1] and is honest for small
/// counts and shares near 0 or 1, which indicators with few mentions have.
pub fn wilson_interval(successes: u64, trials: u64) -> Option<(f64, f64)> {
    if trials == 0 {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// The two-sided p-value of the pooled two-proportion z-test of `a` successes in `n_a`
/// trials against `b` in `n_b`, or `None` when a side has no trials or the pooled share is
/// 0 or 1 (nothing varies, so nothing can differ).
pub fn two_proportion_p(a: u64, n_a: u64, b: u64, n_b: u64) -> Option<f64> {
    if n_a == 0 || n_b == 0 {
        return None;
    }
    let (na, nb) = (n_a as f64, n_b as f64);
    let pooled = (a + b) as f64 / (na + nb);
    let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
    if se == 0.0 {
        return None;
    }
    let z = (a as f64 / na - b as f64 / nb) / se;
    Some(erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0))
}

/// P(X ≥ k) for X Poisson with mean `lambda`: how surprising `k` events are where
/// `lambda` were expected. Summed in log space, so that large `k` neither overflows nor
/// loses the tail.
pub fn poisson_upper_tail(k: u64, lambda: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if lambda <= 0.0 {
        return 0.0;
    }
    // P(X ≥ k) = 1 − Σ_{i<k} P(X = i) when k is below the mean, else Σ_{i≥k} P(X = i).
    let log_pmf = |i: u64| -lambda + i as f64 * lambda.ln() - ln_factorial(i);
    if (k as f64) < lambda {
        let below: f64 = (0..k).map(|i| log_pmf(i).exp()).sum();
        return (1.0 - below).clamp(0.0, 1.0);
    }
    let mut total = 0.0;
    let mut i = k;
    loop {
        let term = log_pmf(i).exp();
        total += term;
        if term < total * 1e-15 || i > k + 10_000 {
            break;
        }
        i += 1;
    }
    total.clamp(0.0, 1.0)
}

/// ln(n!), exact for small n and by Stirling's series beyond.
fn ln_factorial(n: u64) -> f64 {
    if n < 20 {
        return (1..=n).map(|i| (i as f64).ln()).sum();
    }
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x * x)
}

/// The complementary error function, by the Chebyshev fit in Numerical Recipes (§6.2):
/// relative error below 1.2e-7 everywhere, far finer than a p-value needs.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() < tolerance
    }

    #[test]
    fn wilson_matches_known_values() {
        // 81 of 263: the interval is 0.2553–0.3662 (Newcombe 1998, table I, example).
        let (lo, hi) = wilson_interval(81, 263).expect("interval");
        assert!(
            close(lo, 0.2553, 5e-4) && close(hi, 0.3662, 5e-4),
            "{lo} {hi}"
        );
        // All successes: the upper end is 1 and the lower end stays below it.
        let (lo, hi) = wilson_interval(10, 10).expect("interval");
        assert!(close(hi, 1.0, 1e-12) && lo < 0.75 && lo > 0.65, "{lo}");
        assert_eq!(wilson_interval(0, 0), None);
    }

    #[test]
    fn p_values_follow_the_normal_tail() {
        // Equal shares: p = 1.
        let p = two_proportion_p(50, 100, 50, 100).expect("p");
        assert!(close(p, 1.0, 1e-6), "{p}");
        // 60/100 against 40/100: z = 2.828, two-sided p = 0.00468.
        let p = two_proportion_p(60, 100, 40, 100).expect("p");
        assert!(close(p, 0.00468, 5e-5), "{p}");
        assert_eq!(two_proportion_p(5, 5, 7, 7), None);
        assert_eq!(two_proportion_p(1, 0, 7, 7), None);
    }

    #[test]
    fn poisson_tails() {
        // P(X ≥ 1 | λ = 1) = 1 − e^−1.
        assert!(close(
            poisson_upper_tail(1, 1.0),
            1.0 - (-1.0f64).exp(),
            1e-12
        ));
        // P(X ≥ 5 | λ = 1) = 0.0036598.
        assert!(close(poisson_upper_tail(5, 1.0), 0.003_659_846, 1e-8));
        // P(X ≥ 10 | λ = 10) = 0.5420703.
        assert!(close(poisson_upper_tail(10, 10.0), 0.542_070_3, 1e-6));
        // Thirty where 0.02 were expected: vanishingly unlikely, not NaN.
        let p = poisson_upper_tail(30, 0.02);
        assert!(p > 0.0 && p < 1e-60, "{p}");
        assert_eq!(poisson_upper_tail(0, 3.0), 1.0);
        assert!(close(ln_factorial(25), 58.003_605_222_980_52, 1e-9));
    }

    #[test]
    fn erfc_known_points() {
        assert!(close(erfc(0.0), 1.0, 1e-7));
        assert!(close(erfc(1.0), 0.157_299_207, 1e-7));
        assert!(close(erfc(-1.0), 1.842_700_793, 1e-7));
    }
}
