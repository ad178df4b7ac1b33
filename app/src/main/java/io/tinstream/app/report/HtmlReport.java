package io.tinstream.app.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A run's report for a person: {@code report.html} with the {@link ReportCharts} as PNGs beside it,
 * a table of the last interval's figures, and {@code samples.json} with every sample.
 *
 * <p>Why server-side PNGs in a static page rather than a JavaScript charting library: the page must
 * open anywhere, offline and years later (from a CI artifact, an e-mail, a file share), without a
 * CDN or a bundled script; and the project already draws its benchmark charts with XChart, so one
 * charting library and one chart style ({@link Charts}) serve both. The page holds no script at
 * all.
 */
public final class HtmlReport {

  public static final String FILE_NAME = "report.html";

  private HtmlReport() {}

  /**
   * Writes the report of {@code timeline} into {@code dir} (created if needed).
   *
   * @param source one line saying what was measured, e.g. "tinstream demo, synthetic feed"
   * @return the absolute path of {@code report.html}
   */
  public static Path write(Path dir, String source, ReportTimeline timeline) {
    if (timeline.isEmpty()) {
      throw new IllegalArgumentException("no samples to report: the run ended before its first");
    }
    try {
      Files.createDirectories(dir);
      List<ReportCharts.Chart> charts = ReportCharts.of(timeline);
      for (ReportCharts.Chart c : charts) {
        Charts.writePng(c.chart(), dir.resolve(c.fileName()));
      }
      List<Object> samples = new ArrayList<>();
      timeline.samples().forEach(s -> samples.add(s.figures()));
      Files.writeString(
          dir.resolve("samples.json"), BenchReport.toJson(samples) + "\n", StandardCharsets.UTF_8);
      Path html = dir.resolve(FILE_NAME).toAbsolutePath();
      Files.writeString(html, html(source, timeline, charts), StandardCharsets.UTF_8);
      return html;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report into " + dir, e);
    }
  }

  static String html(String source, ReportTimeline timeline, List<ReportCharts.Chart> charts) {
    List<ReportSample> samples = timeline.samples();
    ReportSample last = samples.get(samples.size() - 1);
    StringBuilder h = new StringBuilder();
    h.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>tinstream report</title>\n<style>\n")
        .append("body{font-family:sans-serif;margin:24px;color:#222;background:#fff}\n")
        .append("table{border-collapse:collapse;margin:12px 0}")
        .append("td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
        .append("th{text-align:left;background:#f4f4f4}\n")
        .append(".charts{display:flex;flex-wrap:wrap;gap:16px}")
        .append("figure{margin:0}figcaption{font-size:13px;color:#555;max-width:")
        .append(Charts.WIDTH)
        .append("px}\n</style>\n</head>\n<body>\n<h1>tinstream report</h1>\n<p>")
        .append(escape(source))
        .append("<br>")
        .append(samples.size())
        .append(" samples over ")
        .append(format(last.elapsedSeconds()))
        .append(" s; written ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append("; every sample in <a href=\"samples.json\">samples.json</a>.</p>\n");
    lastFigures(h, last, timeline.variants());
    h.append("<div class=\"charts\">\n");
    for (ReportCharts.Chart c : charts) {
      h.append("<figure><img src=\"")
          .append(escape(c.fileName()))
          .append("\" width=\"")
          .append(Charts.WIDTH)
          .append("\" height=\"")
          .append(Charts.HEIGHT)
          .append("\" alt=\"")
          .append(escape(c.chart().getTitle()))
          .append("\"><figcaption>")
          .append(escape(c.caption()))
          .append("</figcaption></figure>\n");
    }
    return h.append("</div>\n</body>\n</html>\n").toString();
  }

  private static void lastFigures(StringBuilder h, ReportSample last, List<String> variants) {
    h.append("<table>\n<tr><th colspan=\"2\">at ")
        .append(format(last.elapsedSeconds()))
        .append(" s</th></tr>\n");
    row(h, "fed", last.value("fed"));
    row(h, "ingested", last.value("ingested"));
    row(h, "users", last.value("users"));
    row(h, "dead letters", last.value("dead_letters"));
    double bytes = last.value("checkpoint_bytes");
    row(h, "state at last checkpoint (MB)", bytes < 0 ? Double.NaN : bytes / 1e6);
    row(h, "feed ceiling AUC", last.value("ceiling_auc"));
    for (String v : variants) {
      row(h, v + " progressive AUC", last.variantValue(v, "progressive_auc"));
      row(h, v + " served AUC", last.variantValue(v, "served_auc"));
      row(h, v + " model version", last.variantValue(v, "model_version"));
    }
    h.append("</table>\n");
  }

  private static void row(StringBuilder h, String name, double value) {
    h.append("<tr><th>")
        .append(escape(name))
        .append("</th><td>")
        .append(Double.isFinite(value) ? format(value) : "n/a")
        .append("</td></tr>\n");
  }

  /** Integers with separators, fractions (AUC) with three decimals. */
  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%,d", (long) v)
        : String.format(Locale.ROOT, "%,.3f", v);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
