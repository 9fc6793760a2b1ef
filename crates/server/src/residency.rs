//! The residency report as text, for `confab admin tenant residency` (the REST API
//! returns the same report as JSON). The census itself is `confab_store::residency`.

use std::fmt::Write;

use confab_proto::residency::{ResidencyReport, StoreLocation};

fn location(l: &StoreLocation) -> String {
    match l {
        StoreLocation::Local { directory } => format!("local directory {directory}"),
        StoreLocation::S3 {
            endpoint,
            bucket,
            prefix,
        } => match prefix {
            Some(p) => format!("S3 {endpoint} bucket {bucket} prefix {p}"),
            None => format!("S3 {endpoint} bucket {bucket}"),
        },
    }
}

/// A plain-text rendering a person can read and hand on.
pub fn render(r: &ResidencyReport) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "Residency of {} ({}), region {}, at {}",
        r.tenant_name, r.tenant, r.region, r.generated_at
    );
    let _ = writeln!(out, "\nFiles:");
    for f in &r.files {
        let _ = writeln!(
            out,
            "  {:<12} {:>8} items {:>14} bytes  in {} ({})",
            format!("{:?}", f.class),
            f.items,
            f.bytes,
            f.region,
            location(&f.location)
        );
    }
    let _ = writeln!(out, "\nRecords (database {}):", r.records.database);
    for c in &r.records.classes {
        let _ = writeln!(
            out,
            "  {:<24} {:>8} items",
            format!("{:?}", c.class),
            c.items
        );
    }
    let _ = writeln!(out, "  Note: {}", r.records.note);
    let _ = writeln!(
        out,
        "\nOther regions scanned for this organisation's files:"
    );
    if r.other_regions.is_empty() {
        let _ = writeln!(out, "  (no other region is configured)");
    }
    for c in &r.other_regions {
        let _ = writeln!(
            out,
            "  {} ({}): {} found",
            c.region,
            location(&c.location),
            c.strays
        );
        for k in &c.examples {
            let _ = writeln!(out, "    {k}");
        }
    }
    let verdict = if r.resident {
        "every file is in its own region"
    } else {
        "FILES FOUND OUTSIDE ITS REGION"
    };
    let _ = writeln!(out, "\nResult: {verdict}");
    out
}
