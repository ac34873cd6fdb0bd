//! Sorting with one small copy of a sort algorithm in the whole app. Every `sort_unstable_by`
//! call with its own element type or comparator is compiled into its own 2–3 KB copy of the sort
//! in wasm; these helpers sort positions with a type-erased comparator, so the page carries the
//! algorithm once (a short merge sort, see `sorted_positions`) and each caller only a few bytes
//! of glue.
use std::cmp::Ordering;

/// Sorts `items` by `compare`; items that compare equal keep their order.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    permute(order, &mut |i, j| items.swap(i, j));
}

/// Sorts `items` in their natural order.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The positions `0..len` in the order `compare` gives them, equal ones in their first order:
/// the one sort of the app. A bottom-up merge sort of a few hundred bytes of wasm, where the
/// standard library's sort is several KB; the lists sorted here are short (series, spans, rules).
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut merged = vec![0; len];
    let mut run = 1;
    while run < len {
        // Merges each pair of sorted runs of `order` into `merged`.
        for start in (0..len).step_by(2 * run) {
            let middle = (start + run).min(len);
            let end = (start + 2 * run).min(len);
            let (mut left, mut right) = (start, middle);
            for slot in &mut merged[start..end] {
                let take_left = right == end
                    || (left < middle && compare(order[left], order[right]) != Ordering::Greater);
                let from = if take_left { &mut left } else { &mut right };
                *slot = order[*from];
                *from += 1;
            }
        }
        std::mem::swap(&mut order, &mut merged);
        run *= 2;
    }
    order
}

/// Puts the item at position `order[i]` at position `i`, for every `i`, by following the
/// permutation's cycles with `swap`: linear, and the only code that depends on the item type is
/// `swap` itself.
fn permute(mut order: Vec<usize>, swap: &mut dyn FnMut(usize, usize)) {
    const DONE: usize = usize::MAX;
    for start in 0..order.len() {
        let mut i = start;
        while order[i] != DONE {
            let from = order[i];
            order[i] = DONE;
            if from != start {
                swap(i, from);
                i = from;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_the_comparator_and_keeps_every_item() {
        let mut words = vec!["pear", "fig", "apple", "fig", "kiwi"];
        sort(&mut words);
        assert_eq!(words, ["apple", "fig", "fig", "kiwi", "pear"]);

        let mut pairs = vec![(3, 'c'), (1, 'z'), (2, 'b'), (1, 'a')];
        sort_by(&mut pairs, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        assert_eq!(pairs, [(3, 'c'), (2, 'b'), (1, 'a'), (1, 'z')]);

        let mut owned: Vec<String> = (0..100).rev().map(|i| format!("{i:03}")).collect();
        sort(&mut owned);
        assert_eq!(owned.len(), 100);
        assert!(owned.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(owned[0], "000");

        // Stable, and right for every length and input order.
        let mut state: u32 = 7;
        for len in 0..70 {
            let mut items: Vec<(u32, usize)> = (0..len)
                .map(|i| {
                    state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    ((state >> 16) % 5, i)
                })
                .collect();
            let mut expected = items.clone();
            expected.sort_by_key(|item| item.0);
            sort_by(&mut items, |a, b| a.0.cmp(&b.0));
            assert_eq!(items, expected, "{len}");
        }

        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }
}
