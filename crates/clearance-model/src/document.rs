//! The one model every format is extracted into.

use serde::{Deserialize, Serialize};

/// A document format, decided from the file's content (magic bytes), never its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Portable Document Format.
    Pdf,
    /// Office Open XML word-processing document (.docx, .docm).
    Docx,
    /// A raster image: JPEG, PNG, TIFF, WebP, GIF.
    Image,
    /// Plain text (UTF-8, UTF-16 with BOM, GB18030/GBK).
    Text,
}

impl Format {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Image => "image",
            Format::Text => "text",
        }
    }
}

/// Where in a document a piece of text lives. Serialised as the kebab-case strings of the JSON
/// contract (`body`, `header`, `tracked-change`, ...).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// Main text: PDF page text, DOCX body paragraphs and tables, a plain-text file.
    #[default]
    Body,
    /// DOCX header part.
    Header,
    /// DOCX footer part.
    Footer,
    /// DOCX footnote.
    Footnote,
    /// DOCX endnote.
    Endnote,
    /// DOCX text box or shape text.
    TextBox,
    /// A reviewer comment (DOCX comment, PDF annotation contents).
    Comment,
    /// A tracked insertion or deletion that was never accepted or rejected.
    TrackedChange,
    /// Text that is present but not shown: DOCX `w:vanish`, PDF invisible text.
    Hidden,
    /// Document-level metadata: PDF Info/XMP, DOCX docProps.
    Metadata,
    /// Metadata of an image: EXIF, XMP, PNG text chunks.
    ImageMetadata,
    /// PDF annotation, form field, bookmark or embedded-file text.
    Annotation,
    /// Text recognised in a picture by OCR.
    Ocr,
}

impl Source {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Body => "body",
            Source::Header => "header",
            Source::Footer => "footer",
            Source::Footnote => "footnote",
            Source::Endnote => "endnote",
            Source::TextBox => "text-box",
            Source::Comment => "comment",
            Source::TrackedChange => "tracked-change",
            Source::Hidden => "hidden",
            Source::Metadata => "metadata",
            Source::ImageMetadata => "image-metadata",
            Source::Annotation => "annotation",
            Source::Ocr => "ocr",
        }
    }
}

/// An axis-aligned box `[x0, y0, x1, y1]` with `x0 <= x1` and `y0 <= y1`.
///
/// PDF boxes are in page space (points, origin bottom-left, y up), as PDF viewers expect them;
/// image boxes are in pixels (origin top-left, y down). The all-zero box means "position
/// unknown" and is skipped by [`Rect::union`].
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(from = "[f32; 4]", into = "[f32; 4]")]
pub struct Rect {
    /// Left edge.
    pub x0: f32,
    /// Bottom edge in PDF space (top edge in image space).
    pub y0: f32,
    /// Right edge.
    pub x1: f32,
    /// Top edge in PDF space (bottom edge in image space).
    pub y1: f32,
}

impl From<[f32; 4]> for Rect {
    fn from(a: [f32; 4]) -> Self {
        Rect::new(a[0], a[1], a[2], a[3])
    }
}

impl From<Rect> for [f32; 4] {
    fn from(r: Rect) -> Self {
        [r.x0, r.y0, r.x1, r.y1]
    }
}

impl Rect {
    /// A box from two corners in any order.
    pub fn new(xa: f32, ya: f32, xb: f32, yb: f32) -> Self {
        Rect {
            x0: xa.min(xb),
            y0: ya.min(yb),
            x1: xa.max(xb),
            y1: ya.max(yb),
        }
    }

    /// True for the "position unknown" box (and for degenerate, non-finite boxes).
    pub fn is_unknown(&self) -> bool {
        !(self.x0.is_finite() && self.y0.is_finite() && self.x1.is_finite() && self.y1.is_finite())
            || (self.x0 == 0.0 && self.y0 == 0.0 && self.x1 == 0.0 && self.y1 == 0.0)
    }

    /// Width times height.
    pub fn area(&self) -> f32 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }

    /// The overlap of two boxes, or `None` when they do not overlap.
    pub fn intersect(&self, o: &Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        };
        (r.x0 < r.x1 && r.y0 < r.y1).then_some(r)
    }

    /// The smallest box holding every known box of `rects`; `None` if none is known.
    pub fn union<'a>(rects: impl IntoIterator<Item = &'a Rect>) -> Option<Rect> {
        rects
            .into_iter()
            .filter(|r| !r.is_unknown())
            .fold(None, |acc, r| {
                Some(match acc {
                    None => *r,
                    Some(a) => Rect {
                        x0: a.x0.min(r.x0),
                        y0: a.y0.min(r.y0),
                        x1: a.x1.max(r.x1),
                        y1: a.y1.max(r.y1),
                    },
                })
            })
    }
}

/// A run of text that knows where it came from.
///
/// PDF pages become one segment per page (lines joined with `\n`) so that a term split by a
/// line wrap is still one match. `boxes` is either empty (no positions known) or holds exactly
/// one [`Rect`] per `char` of `text`, so a finding's byte span maps back to boxes on the page.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Segment {
    /// The text, in reading order.
    pub text: String,
    /// What kind of place holds the text.
    pub source: Source,
    /// 1-based page number (PDF) or `None`.
    pub page: Option<u32>,
    /// Container part: `word/document.xml`, `word/comments.xml`, `EXIF`, `word/media/image1.jpeg`.
    pub part: Option<String>,
    /// Human detail shown with findings: `comment by Alice`, `deleted by Bob 2024-05-01`.
    pub label: Option<String>,
    /// One box per char of `text`, or empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub boxes: Vec<Rect>,
    /// Recognition confidence 0–100 for OCR text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<u8>,
}

impl Segment {
    /// A segment without positions.
    pub fn new(source: Source, text: impl Into<String>) -> Self {
        Segment {
            text: text.into(),
            source,
            ..Segment::default()
        }
    }

    /// Sets the container part.
    pub fn with_part(mut self, part: impl Into<String>) -> Self {
        self.part = Some(part.into());
        self
    }

    /// Sets the human label.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the page.
    pub fn with_page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The union of the boxes of the chars in the byte range `start..end`, if positions are
    /// known. Out-of-range or non-boundary offsets give `None` rather than panicking.
    pub fn bbox_of(&self, start: usize, end: usize) -> Option<Rect> {
        if self.boxes.is_empty() || start > end || end > self.text.len() {
            return None;
        }
        let first = self.text.get(..start)?.chars().count();
        let n = self.text.get(start..end)?.chars().count();
        Rect::union(self.boxes.iter().skip(first).take(n))
    }

    /// One box per line for the byte range `start..end`: what a viewer highlights when a
    /// match wraps onto the next line.
    pub fn line_boxes_of(&self, start: usize, end: usize) -> Vec<Rect> {
        if self.boxes.is_empty() || start > end || end > self.text.len() {
            return Vec::new();
        }
        let (Some(head), Some(body)) = (self.text.get(..start), self.text.get(start..end)) else {
            return Vec::new();
        };
        let first = head.chars().count();
        let mut out = Vec::new();
        let mut line: Vec<Rect> = Vec::new();
        for (ch, r) in body.chars().zip(self.boxes.iter().skip(first)) {
            if ch == '\n' {
                out.extend(Rect::union(&line));
                line.clear();
            } else {
                line.push(*r);
            }
        }
        out.extend(Rect::union(&line));
        out
    }
}

/// One metadata field: `Author` in the PDF Info dictionary, `dc:creator` in docProps,
/// `BodySerialNumber` in EXIF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaField {
    /// Where the field lives: `PDF Info`, `XMP`, `docProps/core.xml`, `EXIF`,
    /// `word/media/image1.jpeg EXIF`.
    pub part: String,
    /// The field's name as the format spells it.
    pub key: String,
    /// Its value as text.
    pub value: String,
    /// Page of the image it belongs to, for images embedded in PDFs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// A GPS position read from EXIF or XMP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GpsPoint {
    /// Latitude in decimal degrees, north positive.
    pub lat: f64,
    /// Longitude in decimal degrees, east positive.
    pub lon: f64,
    /// Where it was read: `EXIF`, `XMP`, `word/media/image2.jpeg EXIF`, `page 3 image Im0 EXIF`.
    pub part: String,
    /// Page, for images embedded in PDFs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
}

/// An image found in (or being) the document, with its metadata, for the review view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageInfo {
    /// Where the image lives: the file itself (`image`), `word/media/image1.png`, `page 2 /Im0`.
    pub part: String,
    /// Page for PDF images.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Pixel width, when known.
    pub width: Option<u32>,
    /// Pixel height, when known.
    pub height: Option<u32>,
    /// Container format: `jpeg`, `png`, `tiff`, `webp`, `gif`.
    pub kind: Option<String>,
}

/// Size of a PDF page, for placing highlights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PageInfo {
    /// 1-based page number.
    pub page: u32,
    /// The page's media box in page space.
    pub media_box: Rect,
}

/// Everything extraction learned about one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDocument {
    /// The detected format.
    pub format: Format,
    /// Number of pages (PDF), or `None`.
    pub pages: Option<u32>,
    /// Page sizes (PDF).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub page_info: Vec<PageInfo>,
    /// Text with its provenance.
    pub segments: Vec<Segment>,
    /// Metadata fields.
    pub metadata: Vec<MetaField>,
    /// GPS positions from image metadata.
    pub gps: Vec<GpsPoint>,
    /// Images in the document.
    pub images: Vec<ImageInfo>,
    /// Problems that did not stop extraction but that a reviewer must know, such as
    /// `page 3: text could not be extracted`. A document with warnings is never "clean".
    pub warnings: Vec<String>,
}

impl ExtractedDocument {
    /// An empty document of the given format.
    pub fn new(format: Format) -> Self {
        ExtractedDocument {
            format,
            pages: None,
            page_info: Vec::new(),
            segments: Vec::new(),
            metadata: Vec::new(),
            gps: Vec::new(),
            images: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_of_maps_byte_span_to_char_boxes() {
        let mut s = Segment::new(Source::Body, "a机密b");
        s.boxes = vec![
            Rect::new(0.0, 0.0, 1.0, 1.0),
            Rect::new(1.0, 0.0, 2.0, 1.0),
            Rect::new(2.0, 0.0, 3.0, 1.0),
            Rect::new(3.0, 0.0, 4.0, 1.0),
        ];
        let start = "a".len();
        let end = "a机密".len();
        assert_eq!(s.bbox_of(start, end), Some(Rect::new(1.0, 0.0, 3.0, 1.0)));
        assert_eq!(
            s.bbox_of(2, 3),
            None,
            "a byte offset inside a char is refused, not a panic"
        );
        assert_eq!(s.bbox_of(0, 99), None);
    }

    #[test]
    fn line_boxes_split_at_newlines() {
        let mut s = Segment::new(Source::Body, "ab\ncd");
        s.boxes = vec![
            Rect::new(0.0, 10.0, 1.0, 11.0),
            Rect::new(1.0, 10.0, 2.0, 11.0),
            Rect::default(),
            Rect::new(0.0, 0.0, 1.0, 1.0),
            Rect::new(1.0, 0.0, 2.0, 1.0),
        ];
        let lines = s.line_boxes_of(1, 4);
        assert_eq!(
            lines,
            vec![
                Rect::new(1.0, 10.0, 2.0, 11.0),
                Rect::new(0.0, 0.0, 1.0, 1.0)
            ]
        );
    }

    #[test]
    fn rect_serialises_as_array() {
        let json = serde_json::to_string(&Rect::new(1.0, 2.0, 3.0, 4.0)).unwrap_or_default();
        assert_eq!(json, "[1.0,2.0,3.0,4.0]");
    }
}
