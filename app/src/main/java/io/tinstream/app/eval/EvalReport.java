package io.tinstream.app.eval;

import io.tinstream.training.eval.OfflineEvaluator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** Aggregates runs per model (mean ± sample std over seeds) and writes table, JSON and chart. */
public final class EvalReport {

  /** Mean and sample standard deviation. */
  public record Stat(double mean, double std) {
    static Stat of(double[] xs) {
      double m = 0;
      for (double x : xs) {
        m += x;
      }
      m /= xs.length;
      double v = 0;
      for (double x : xs) {
        v += (x - m) * (x - m);
      }
      return new Stat(m, xs.length > 1 ? Math.sqrt(v / (xs.length - 1)) : 0.0);
    }

    String fmt() {
      if (Double.isNaN(mean)) {
        return "n/a"; // e.g. the LogLoss of a baseline whose scores are not probabilities
      }
      return String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
    }
  }

  public record Row(
      String model, int seeds, Stat auc, Stat gauc, Stat logLoss, Stat samplesPerSec) {}

  private final Map<String, List<OfflineEvaluator.Run>> runs = new LinkedHashMap<>();

  public void add(OfflineEvaluator.Run run) {
    runs.computeIfAbsent(run.model(), k -> new ArrayList<>()).add(run);
  }

  public List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, List<OfflineEvaluator.Run>> e : runs.entrySet()) {
      List<OfflineEvaluator.Run> rs = e.getValue();
      rows.add(
          new Row(
              e.getKey(),
              rs.size(),
              Stat.of(rs.stream().mapToDouble(r -> r.test().auc()).toArray()),
              Stat.of(rs.stream().mapToDouble(r -> r.test().gauc()).toArray()),
              Stat.of(rs.stream().mapToDouble(r -> r.test().logLoss()).toArray()),
              Stat.of(
                  rs.stream().mapToDouble(OfflineEvaluator.Run::trainSamplesPerSec).toArray())));
    }
    return rows;
  }

  /** Markdown table (test split, epoch chosen by validation AUC). */
  public String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| model | seeds | AUC | GAUC | LogLoss | train samples/s |\n");
    sb.append("|---|---|---|---|---|---|\n");
    for (Row r : rows()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %s | %s | %s | %.0f ± %.0f |\n",
              r.model(),
              r.seeds(),
              r.auc().fmt(),
              r.gauc().fmt(),
              r.logLoss().fmt(),
              r.samplesPerSec().mean(),
              r.samplesPerSec().std()));
    }
    return sb.toString();
  }

  public String json(Map<String, Object> setup) {
    StringBuilder sb = new StringBuilder("{\n  \"setup\": {");
    int i = 0;
    for (Map.Entry<String, Object> e : setup.entrySet()) {
      sb.append(i++ == 0 ? "\n" : ",\n");
      sb.append("    ").append(quote(e.getKey())).append(": ").append(value(e.getValue()));
    }
    sb.append("\n  },\n  \"models\": [");
    int k = 0;
    for (Row r : rows()) {
      sb.append(k++ == 0 ? "\n" : ",\n");
      sb.append("    {\"model\": ").append(quote(r.model()));
      sb.append(", \"seeds\": ").append(r.seeds());
      appendStat(sb, "auc", r.auc());
      appendStat(sb, "gauc", r.gauc());
      appendStat(sb, "logloss", r.logLoss());
      appendStat(sb, "train_samples_per_sec", r.samplesPerSec());
      sb.append(", \"runs\": [");
      int j = 0;
      for (OfflineEvaluator.Run run : runs.get(r.model())) {
        sb.append(j++ == 0 ? "" : ", ");
        sb.append(
            String.format(
                    Locale.ROOT,
                    "{\"seed\": %d, \"best_epoch\": %d, \"valid_auc\": %.6f, \"auc\": %.6f,"
                        + " \"gauc\": %.6f, \"logloss\": %.6f, \"train_samples_per_sec\": %.1f}",
                    run.seed(),
                    run.bestEpoch(),
                    run.valid().auc(),
                    run.test().auc(),
                    run.test().gauc(),
                    run.test().logLoss(),
                    run.trainSamplesPerSec())
                .replace("\"logloss\": NaN", "\"logloss\": null"));
      }
      sb.append("]}");
    }
    sb.append("\n  ]\n}\n");
    return sb.toString();
  }

  private static void appendStat(StringBuilder sb, String name, Stat s) {
    if (Double.isNaN(s.mean())) {
      sb.append(", \"").append(name).append("\": null");
      return;
    }
    sb.append(
        String.format(
            Locale.ROOT, ", \"%s\": {\"mean\": %.6f, \"std\": %.6f}", name, s.mean(), s.std()));
  }

  private static String value(Object o) {
    if (o instanceof Number || o instanceof Boolean) {
      return o.toString();
    }
    return quote(String.valueOf(o));
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** Bar chart of test AUC (mean, error bar = std over seeds), drawn by XChart. */
  public void writeChart(Path png, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Row> rows = rows();
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(640)
            .height(420)
            .title(title)
            .xAxisTitle("model")
            .yAxisTitle("test AUC")
            .build();
    chart.getStyler().setLegendVisible(false);
    double min = 1;
    double max = 0;
    for (Row r : rows) {
      min = Math.min(min, r.auc().mean() - r.auc().std());
      max = Math.max(max, r.auc().mean() + r.auc().std());
    }
    chart.getStyler().setYAxisMin(Math.max(0, Math.floor((min - 0.02) * 50) / 50));
    chart.getStyler().setYAxisMax(Math.min(1, Math.ceil((max + 0.01) * 50) / 50));
    chart.addSeries(
        "AUC",
        rows.stream().map(Row::model).toList(),
        rows.stream().map(r -> r.auc().mean()).toList(),
        rows.stream().map(r -> r.auc().std()).toList());
    Files.createDirectories(png.toAbsolutePath().getParent());
    BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
