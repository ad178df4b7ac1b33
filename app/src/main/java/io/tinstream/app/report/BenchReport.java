package io.tinstream.app.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.XYChart;

/**
 * The one way a benchmark reports: its markdown section of {@code benchmarks.md}, its PNG charts
 * and, when asked, its rows as JSON. A bench adds text, tables and plots, then calls {@link
 * #write}; the layout of the file (section markers, image links relative to the markdown file,
 * where charts go) lives here only, so every bench's output looks and merges the same.
 *
 * <p>{@code benchmarks.md} is one file that several benchmarks write into: each owns a section
 * between HTML comment markers and replaces only that section, so running one benchmark never
 * erases another's figures.
 */
public final class BenchReport {

  private static final String HEADER =
      "# Benchmarks\n\n"
          + "Every section is written by a benchmark command (named in the section) on the machine"
          + " it ran on; rerun the command to refresh it. Compare figures only within one section:"
          + " machines are noisy.\n";

  private final String sectionId;
  private final String title;
  private final Path outDir;
  private final Path doc;
  private final boolean writeFiles;
  private final boolean writeJson;
  private final StringBuilder body = new StringBuilder();
  private final List<Plot> plots = new ArrayList<>();
  private Object data;
  private final java.util.LinkedHashMap<String, Object> jsonFiles = new java.util.LinkedHashMap<>();

  /**
   * @param sectionId the section's marker id in the markdown file, {@code [a-z0-9-]+}
   * @param title the section's heading
   * @param outDir where charts and JSON go
   * @param doc the markdown file whose section is replaced
   * @param writeFiles false to only print the section
   * @param writeJson whether {@link #data} is also written, as {@code bench-<sectionId>.json}
   */
  public BenchReport(
      String sectionId,
      String title,
      Path outDir,
      Path doc,
      boolean writeFiles,
      boolean writeJson) {
    if (!sectionId.matches("[a-z0-9-]+")) {
      throw new IllegalArgumentException("section id must be [a-z0-9-]+: " + sectionId);
    }
    this.sectionId = sectionId;
    this.title = title;
    this.outDir = outDir;
    this.doc = doc;
    this.writeFiles = writeFiles;
    this.writeJson = writeJson;
  }

  /** Appends markdown text as its own paragraph. */
  public BenchReport paragraph(String markdown) {
    String text = markdown.strip();
    if (!text.isEmpty()) {
      if (body.length() > 0) {
        body.append("\n\n");
      }
      body.append(text);
    }
    return this;
  }

  /** Appends a table as its own paragraph. */
  public BenchReport table(Table table) {
    return paragraph(table.markdown());
  }

  /**
   * A line chart written as {@code fileName} in the output directory; its image link closes the
   * section.
   */
  public Plot plot(String fileName, String alt) {
    if (!fileName.endsWith(".png") || fileName.contains("/")) {
      throw new IllegalArgumentException("plot file must be a plain *.png name: " + fileName);
    }
    Plot plot = new Plot(fileName, alt);
    plots.add(plot);
    return plot;
  }

  /** The measured rows (records, lists, maps) to write as JSON when JSON is asked for. */
  public BenchReport data(Object rows) {
    this.data = rows;
    return this;
  }

  /**
   * A JSON file for scripts, written at {@link #write} (unless files are off) as {@code
   * relativePath} under the output directory, with snake_case names and NaN (not measured) as null.
   * Unlike {@link #data}, it does not wait for {@code --json}: its shape is a contract.
   */
  public BenchReport jsonFile(String relativePath, Object value) {
    if (relativePath.startsWith("/")
        || relativePath.contains("..")
        || !relativePath.endsWith(".json")) {
      throw new IllegalArgumentException(
          "JSON file must be a relative *.json path: " + relativePath);
    }
    jsonFiles.put(relativePath, value);
    return this;
  }

  /** How {@link #jsonFile} files are written; for tests of their shape. */
  public static String toJson(Object value) {
    try {
      return SCRIPT_JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final ObjectMapper SCRIPT_JSON = scriptJson();

  private static ObjectMapper scriptJson() {
    com.fasterxml.jackson.databind.module.SimpleModule nanAsNull =
        new com.fasterxml.jackson.databind.module.SimpleModule();
    com.fasterxml.jackson.databind.JsonSerializer<Double> doubles =
        new com.fasterxml.jackson.databind.JsonSerializer<>() {
          @Override
          public void serialize(
              Double v,
              com.fasterxml.jackson.core.JsonGenerator gen,
              com.fasterxml.jackson.databind.SerializerProvider provider)
              throws IOException {
            if (v == null || v.isNaN() || v.isInfinite()) {
              gen.writeNull();
            } else {
              gen.writeNumber(v);
            }
          }
        };
    nanAsNull.addSerializer(Double.class, doubles);
    nanAsNull.addSerializer(double.class, doubles);
    return new ObjectMapper()
        .registerModule(nanAsNull)
        .setPropertyNamingStrategy(
            com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** The section body as it will be written (without its heading and markers). */
  public String markdown() {
    StringBuilder md = new StringBuilder(body);
    for (Plot p : plots) {
      md.append("\n\n![").append(p.alt).append("](").append(link(p)).append(")");
    }
    return md.append("\n").toString();
  }

  /**
   * Prints the section to {@code out}; unless files are off, writes the charts, the JSON and the
   * section, and says so on {@code log}.
   */
  public void write(PrintWriter out, PrintWriter log) {
    String md = markdown();
    out.println();
    out.print(md);
    out.flush();
    if (!writeFiles) {
      return;
    }
    List<Path> written = new ArrayList<>();
    for (Plot p : plots) {
      written.add(p.save(outDir.resolve(p.fileName)));
    }
    if (writeJson && data != null) {
      written.add(writeJson(outDir.resolve("bench-" + sectionId + ".json"), data));
    }
    for (var e : jsonFiles.entrySet()) {
      Path file = outDir.resolve(e.getKey());
      try {
        createParent(file);
        Files.writeString(file, toJson(e.getValue()) + "\n", StandardCharsets.UTF_8);
      } catch (IOException ex) {
        throw new UncheckedIOException("cannot write " + file, ex);
      }
      written.add(file);
    }
    replaceSection(doc, sectionId, title, md);
    written.add(0, doc);
    log.println("updated " + String.join(", ", written.stream().map(Path::toString).toList()));
    log.flush();
  }

  private String link(Plot p) {
    Path dir = doc.toAbsolutePath().getParent();
    Path file = outDir.resolve(p.fileName).toAbsolutePath();
    return (dir == null ? file : dir.relativize(file)).toString().replace('\\', '/');
  }

  private static Path writeJson(Path file, Object data) {
    try {
      createParent(file);
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), data);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Creates {@code file} if needed and replaces (or appends) the section {@code sectionId}.
   *
   * @param markdownBody the section body, without its title
   */
  static void replaceSection(Path file, String sectionId, String title, String markdownBody) {
    String begin = "<!-- section:" + sectionId + " -->";
    String end = "<!-- /section:" + sectionId + " -->";
    String section = begin + "\n## " + title + "\n\n" + markdownBody.strip() + "\n" + end;
    try {
      String text = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : HEADER;
      int from = text.indexOf(begin);
      int to = text.indexOf(end);
      String updated;
      if (from >= 0 && to > from) {
        updated = text.substring(0, from) + section + text.substring(to + end.length());
      } else {
        updated = text.stripTrailing() + "\n\n" + section + "\n";
      }
      createParent(file);
      Files.writeString(file, updated, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write benchmark section to " + file, e);
    }
  }

  private static void createParent(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
  }

  /** A markdown table; cells are formatted by the bench, columns left-aligned unless marked. */
  public static final class Table {
    private final String[] headers;
    private final boolean[] right;
    private final List<String[]> rows = new ArrayList<>();

    private Table(String... headers) {
      this.headers = headers.clone();
      this.right = new boolean[headers.length];
    }

    public static Table of(String... headers) {
      return new Table(headers);
    }

    /** Right-aligns every column (numeric tables). */
    public Table rightAligned() {
      Arrays.fill(right, true);
      return this;
    }

    /** Right-aligns the given columns (0-based). */
    public Table rightAligned(int... columns) {
      for (int c : columns) {
        right[c] = true;
      }
      return this;
    }

    public Table row(Object... cells) {
      if (cells.length != headers.length) {
        throw new IllegalArgumentException(
            "row has " + cells.length + " cells, table has " + headers.length + " columns");
      }
      rows.add(Arrays.stream(cells).map(String::valueOf).toArray(String[]::new));
      return this;
    }

    public String markdown() {
      StringBuilder md = new StringBuilder();
      line(md, headers);
      // "|---|---:|" without padding, as the sections already in docs/benchmarks.md have it.
      md.append('|');
      for (boolean r : right) {
        md.append(r ? "---:|" : "---|");
      }
      md.append('\n');
      for (String[] r : rows) {
        line(md, r);
      }
      return md.toString();
    }

    private static void line(StringBuilder md, String[] cells) {
      md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
  }

  /** A line chart of series over one x axis, drawn at {@link #write} by {@link Charts}. */
  public static final class Plot {
    private final String fileName;
    private final String alt;
    private final List<String> names = new ArrayList<>();
    private final List<double[]> xs = new ArrayList<>();
    private final List<double[]> ys = new ArrayList<>();
    private String chartTitle = "";
    private String xTitle = "";
    private String yTitle = "";
    private boolean logX;
    private boolean logY;

    private Plot(String fileName, String alt) {
      this.fileName = fileName;
      this.alt = alt;
    }

    public Plot title(String title) {
      this.chartTitle = title;
      return this;
    }

    public Plot axes(String xTitle, String yTitle) {
      this.xTitle = xTitle;
      this.yTitle = yTitle;
      return this;
    }

    /** Both axes logarithmic. */
    public Plot logLog() {
      this.logX = true;
      this.logY = true;
      return this;
    }

    public Plot series(String name, double[] x, double[] y) {
      if (x.length != y.length) {
        throw new IllegalArgumentException(name + ": " + x.length + " x but " + y.length + " y");
      }
      names.add(name);
      xs.add(x.clone());
      ys.add(y.clone());
      return this;
    }

    private Path save(Path file) {
      XYChart chart = Charts.lineChart(chartTitle, xTitle, yTitle);
      chart.getStyler().setXAxisLogarithmic(logX).setYAxisLogarithmic(logY);
      for (int i = 0; i < names.size(); i++) {
        chart.addSeries(names.get(i), xs.get(i), ys.get(i));
      }
      return Charts.writePng(chart, file);
    }
  }
}
