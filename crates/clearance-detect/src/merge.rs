//! Overlapping hits of one category in one segment merge into the longest; hits of
//! different categories on the same text all stay (a reviewer needs each reason).

use crate::Hit;

/// Merges overlapping hits per category and returns them in text order.
pub fn merge(mut hits: Vec<Hit>) -> Vec<Hit> {
    // Longest first within a category and start, so the sweep keeps it.
    hits.sort_by(|a, b| {
        a.category
            .cmp(&b.category)
            .then(a.start.cmp(&b.start))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(b.severity.cmp(&a.severity))
    });
    let mut out: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        match out.last_mut() {
            Some(last) if last.category == h.category && h.start < last.end.max(last.start + 1) => {
                if h.end - h.start > last.end - last.start {
                    *last = h;
                }
            }
            _ => out.push(h),
        }
    }
    out.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.category.cmp(&b.category))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_model::{Category, Severity};

    fn hit(category: Category, start: usize, end: usize) -> Hit {
        Hit {
            category,
            rule: "r",
            severity: Severity::High,
            start,
            end,
            explanation: String::new(),
            position: None,
        }
    }

    #[test]
    fn keeps_the_longest_of_overlapping_hits_per_category() {
        let c = Category::ClassificationMarking;
        let m = Category::MilitaryUnit;
        let got = merge(vec![
            hit(c, 5, 8),
            hit(c, 0, 10),
            hit(m, 2, 4),
            hit(c, 20, 25),
            hit(c, 24, 30),
        ]);
        let spans: Vec<(Category, usize, usize)> =
            got.iter().map(|h| (h.category, h.start, h.end)).collect();
        assert_eq!(spans, vec![(c, 0, 10), (m, 2, 4), (c, 24, 30)]);
    }

    #[test]
    fn merging_is_idempotent() {
        let c = Category::Coordinates;
        let once = merge(vec![hit(c, 0, 4), hit(c, 2, 9), hit(c, 12, 14)]);
        assert_eq!(merge(once.clone()), once);
    }
}
