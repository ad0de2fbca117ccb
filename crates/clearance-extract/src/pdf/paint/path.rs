//! Paths in page space: built from `m l c v y h re` under the CTM (curves flattened), and
//! tested point by point with the fill rule, so that frames drawn with even-odd holes, rings
//! and triangles do not count as covering what lies in their hole or beside them.

use clearance_model::Rect;

use super::super::layout::Matrix;

/// Most points kept per path; a bigger path is kept as its bounding box only and never
/// counts as covering text (tested conservatively).
pub(crate) const MAX_PATH_POINTS: usize = 20_000;
/// Line segments per flattened Bézier curve.
const CURVE_STEPS: usize = 8;

/// How a filled path decides inside from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillRule {
    /// `f`, `F`, `B`, `b`: non-zero winding.
    NonZero,
    /// `f*`, `B*`, `b*`: even-odd.
    EvenOdd,
}

/// A filled area in page space.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Closed polygons (curves flattened); empty when the path was too big to keep.
    pub subpaths: Vec<Vec<(f32, f32)>>,
    /// Bounding box of every point.
    pub bbox: Rect,
    /// The path is one axis-aligned rectangle.
    pub is_rect: bool,
}

impl Shape {
    /// True when `(x, y)` is inside the shape under `rule`. A path too big to keep is never
    /// inside (so it never counts as hiding anything).
    pub fn contains(&self, rule: FillRule, x: f32, y: f32) -> bool {
        if x < self.bbox.x0 || x > self.bbox.x1 || y < self.bbox.y0 || y > self.bbox.y1 {
            return false;
        }
        if self.is_rect {
            return true;
        }
        let mut winding = 0i32;
        let mut crossings = 0u32;
        for poly in &self.subpaths {
            let n = poly.len();
            for i in 0..n {
                let (Some(&(x0, y0)), Some(&(x1, y1))) = (poly.get(i), poly.get((i + 1) % n))
                else {
                    continue;
                };
                if (y0 <= y) != (y1 <= y) {
                    let t = (y - y0) / (y1 - y0);
                    let xc = x0 + t * (x1 - x0);
                    if xc > x {
                        crossings += 1;
                        winding += if y1 > y0 { 1 } else { -1 };
                    }
                }
            }
        }
        match rule {
            FillRule::NonZero => winding != 0,
            FillRule::EvenOdd => crossings % 2 == 1,
        }
    }

    /// Share (0–1) of `r` inside the shape, from a 5×5 grid of sample points.
    pub fn coverage(&self, rule: FillRule, r: &Rect) -> f32 {
        if r.intersect(&self.bbox).is_none() {
            return 0.0;
        }
        let mut hit = 0u32;
        for i in 0..5u8 {
            for j in 0..5u8 {
                let x = r.x0 + (r.x1 - r.x0) * (f32::from(i) + 0.5) / 5.0;
                let y = r.y0 + (r.y1 - r.y0) * (f32::from(j) + 0.5) / 5.0;
                hit += u32::from(self.contains(rule, x, y));
            }
        }
        hit as f32 / 25.0
    }
}

/// The path under construction.
#[derive(Debug, Default)]
pub(crate) struct PathBuilder {
    subpaths: Vec<Vec<(f32, f32)>>,
    current: Vec<(f32, f32)>,
    /// Current point in user space (curves need it).
    pen: (f64, f64),
    start: (f64, f64),
    points: usize,
    overflow: bool,
    /// Segments other than a single `re` were used.
    only_rects: bool,
    rects: usize,
    axis_aligned: bool,
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f32, f32) {
    (
        (x * m[0] + y * m[2] + m[4]) as f32,
        (x * m[1] + y * m[3] + m[5]) as f32,
    )
}

impl PathBuilder {
    pub fn new() -> Self {
        PathBuilder {
            only_rects: true,
            axis_aligned: true,
            ..PathBuilder::default()
        }
    }

    fn push(&mut self, m: &Matrix, x: f64, y: f64) {
        self.pen = (x, y);
        if self.points >= MAX_PATH_POINTS {
            self.overflow = true;
            return;
        }
        let p = apply(m, x, y);
        if p.0.is_finite() && p.1.is_finite() {
            self.current.push(p);
            self.points += 1;
        }
    }

    fn close_current(&mut self) {
        if !self.current.is_empty() {
            self.subpaths.push(std::mem::take(&mut self.current));
        }
    }

    pub fn move_to(&mut self, m: &Matrix, x: f64, y: f64) {
        self.close_current();
        self.only_rects = false;
        self.start = (x, y);
        self.push(m, x, y);
    }

    pub fn line_to(&mut self, m: &Matrix, x: f64, y: f64) {
        self.only_rects = false;
        if self.current.is_empty() {
            self.start = self.pen;
            self.push(m, self.pen.0, self.pen.1);
        }
        self.push(m, x, y);
    }

    /// A cubic Bézier from the pen through `c1`, `c2` to `p`.
    pub fn curve_to(&mut self, m: &Matrix, c1: (f64, f64), c2: (f64, f64), p: (f64, f64)) {
        self.only_rects = false;
        let p0 = self.pen;
        if self.current.is_empty() {
            self.push(m, p0.0, p0.1);
        }
        for k in 1..=CURVE_STEPS {
            let t = k as f64 / CURVE_STEPS as f64;
            let u = 1.0 - t;
            let (a, b, c, d) = (u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t);
            let x = a * p0.0 + b * c1.0 + c * c2.0 + d * p.0;
            let y = a * p0.1 + b * c1.1 + c * c2.1 + d * p.1;
            self.push(m, x, y);
        }
        self.pen = p;
    }

    pub fn pen(&self) -> (f64, f64) {
        self.pen
    }

    pub fn close(&mut self) {
        self.close_current();
        self.pen = self.start;
    }

    pub fn rect(&mut self, m: &Matrix, x: f64, y: f64, w: f64, h: f64) {
        self.close_current();
        self.rects += 1;
        if m[1].abs() > 1e-6 || m[2].abs() > 1e-6 {
            self.axis_aligned = false;
        }
        for (px, py) in [(x, y), (x + w, y), (x + w, y + h), (x, y + h)] {
            self.push(m, px, py);
        }
        self.close_current();
        self.pen = (x, y);
        self.start = (x, y);
    }

    /// The finished shape, or `None` for an empty path; resets the builder.
    pub fn finish(&mut self) -> Option<Shape> {
        self.close_current();
        let subpaths = std::mem::take(&mut self.subpaths);
        let overflow = self.overflow;
        let is_rect = self.only_rects && self.rects == 1 && self.axis_aligned;
        *self = PathBuilder::new();
        let bbox = bbox_of(subpaths.iter().flatten())?;
        Some(Shape {
            subpaths: if overflow { Vec::new() } else { subpaths },
            bbox,
            is_rect: is_rect && !overflow,
        })
    }
}

/// The bounding box of some points, `None` when there are none.
pub(crate) fn bbox_of<'a>(pts: impl Iterator<Item = &'a (f32, f32)>) -> Option<Rect> {
    let mut b: Option<Rect> = None;
    for &(x, y) in pts {
        b = Some(match b {
            None => Rect {
                x0: x,
                y0: y,
                x1: x,
                y1: y,
            },
            Some(r) => Rect {
                x0: r.x0.min(x),
                y0: r.y0.min(y),
                x1: r.x1.max(x),
                y1: r.y1.max(y),
            },
        });
    }
    b
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests fail loudly on purpose.
mod tests {
    use super::*;

    const ID: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

    fn glyph() -> Rect {
        Rect::new(110.0, 110.0, 120.0, 120.0)
    }

    #[test]
    fn a_rectangle_covers_what_is_inside_it() {
        let mut p = PathBuilder::new();
        p.rect(&ID, 100.0, 100.0, 50.0, 30.0);
        let s = p.finish().unwrap();
        assert!(s.is_rect);
        assert_eq!(s.coverage(FillRule::NonZero, &glyph()), 1.0);
        let half = Rect::new(130.0, 110.0, 170.0, 120.0);
        let c = s.coverage(FillRule::NonZero, &half);
        assert!(
            (c - 0.5).abs() <= 0.15,
            "sampled coverage {c} is near a half"
        );
    }

    #[test]
    fn even_odd_frame_leaves_its_hole_uncovered() {
        let mut p = PathBuilder::new();
        p.rect(&ID, 100.0, 100.0, 100.0, 100.0);
        p.rect(&ID, 105.0, 105.0, 90.0, 90.0);
        let s = p.finish().unwrap();
        assert!(!s.is_rect, "two rectangles are not one");
        assert_eq!(s.coverage(FillRule::EvenOdd, &glyph()), 0.0);
        assert_eq!(
            s.coverage(FillRule::NonZero, &glyph()),
            1.0,
            "same-direction rectangles fill the hole under non-zero"
        );
    }

    #[test]
    fn triangle_covers_only_its_half() {
        let mut p = PathBuilder::new();
        p.move_to(&ID, 100.0, 100.0);
        p.line_to(&ID, 200.0, 100.0);
        p.line_to(&ID, 100.0, 200.0);
        p.close();
        let s = p.finish().unwrap();
        let far = Rect::new(170.0, 170.0, 190.0, 190.0);
        assert_eq!(s.coverage(FillRule::NonZero, &far), 0.0);
        assert_eq!(s.coverage(FillRule::NonZero, &glyph()), 1.0);
    }

    #[test]
    fn rotated_rectangle_is_not_axis_aligned() {
        let mut p = PathBuilder::new();
        let rot = [0.0, 1.0, -1.0, 0.0, 300.0, 0.0];
        p.rect(&rot, 0.0, 0.0, 10.0, 10.0);
        let s = p.finish().unwrap();
        assert!(!s.is_rect);
        assert_eq!(s.bbox, Rect::new(290.0, 0.0, 300.0, 10.0));
    }
}
