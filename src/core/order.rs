//! Sorting with one copy of the sort algorithm in the whole app. Every `sort_unstable_by` call
//! with its own element type or comparator is compiled into its own 2–3 KB copy of the sort in
//! wasm; these helpers sort positions with a type-erased comparator, so the page carries the
//! algorithm once and each caller only a few bytes of glue.
use std::cmp::Ordering;

/// Sorts `items` by `compare` (not stable: break ties in `compare` where the order matters).
pub fn sort_by<T>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = sorted_positions(items.len(), &|a, b| compare(&items[a], &items[b]));
    let mut taken: Vec<Option<T>> = items.drain(..).map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| taken[i].take()));
}

/// Sorts `items` in their natural order.
pub fn sort<T: Ord>(items: &mut Vec<T>) {
    sort_by(items, T::cmp);
}

/// The positions `0..len` in the order `compare` gives them: the one instantiation of the sort.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| compare(a, b));
    order
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

        let mut empty: Vec<u8> = Vec::new();
        sort(&mut empty);
        assert!(empty.is_empty());
    }
}
