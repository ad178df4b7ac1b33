package io.tinstream.app.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test AUCs of an earlier eval, read back from its {@code eval.json} or its generated page, so a
 * regenerated page can say how far its figures moved without anyone copying numbers by hand.
 */
final class PreviousRuns {
  private PreviousRuns() {}

  /** One model of the earlier run; {@code perSeed} is empty when only the page was kept. */
  record Model(
      String name, int seeds, double aucMean, double aucStd, Map<Integer, Double> perSeed) {}

  private static final Pattern JSON_MODEL =
      Pattern.compile(
          "\\{\"model\": \"([^\"]+)\", \"seeds\": (\\d+), \"auc\": \\{\"mean\": ([-0-9.eE]+),"
              + " \"std\": ([-0-9.eE]+)\\}");
  private static final Pattern JSON_RUN =
      Pattern.compile(
          "\\{\"seed\": (\\d+), \"best_epoch\": \\d+, \"valid_auc\": [^,]+, \"auc\": ([-0-9.eE]+)");
  private static final Pattern PAGE_ROW =
      Pattern.compile("^\\| ([^|]+?) \\| (\\d+) \\| ([0-9.]+) ± ([0-9.]+) \\|");

  static List<Model> read(Path file) throws IOException {
    List<Model> out = new ArrayList<>();
    boolean json = file.getFileName().toString().endsWith(".json");
    for (String line : Files.readAllLines(file)) {
      if (json) {
        Matcher m = JSON_MODEL.matcher(line);
        if (m.find()) {
          Map<Integer, Double> perSeed = new LinkedHashMap<>();
          Matcher r = JSON_RUN.matcher(line);
          while (r.find()) {
            perSeed.put(Integer.parseInt(r.group(1)), Double.parseDouble(r.group(2)));
          }
          out.add(
              new Model(
                  m.group(1),
                  Integer.parseInt(m.group(2)),
                  Double.parseDouble(m.group(3)),
                  Double.parseDouble(m.group(4)),
                  perSeed));
        }
      } else {
        Matcher m = PAGE_ROW.matcher(line);
        if (m.find()) {
          out.add(
              new Model(
                  m.group(1).trim(),
                  Integer.parseInt(m.group(2)),
                  Double.parseDouble(m.group(3)),
                  Double.parseDouble(m.group(4)),
                  Map.of()));
        }
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          file + " has no model rows (expected an eval.json or page)");
    }
    return out;
  }

  /**
   * Markdown table of old vs new test AUC per model of {@code now}; when this run has fewer seeds
   * than the old one and the old per-seed AUCs are known, also the old mean over the same seeds.
   */
  static String comparison(List<Model> before, List<EvalReport.Row> now, int seeds) {
    Map<String, Model> old = new LinkedHashMap<>();
    before.forEach(m -> old.put(m.name(), m));
    boolean sameSeeds =
        old.values().stream().anyMatch(m -> m.seeds() > seeds && !m.perSeed().isEmpty());
    StringBuilder sb = new StringBuilder("| model | old test AUC |");
    if (sameSeeds) {
      sb.append(" old, seeds 1..").append(seeds).append(" |");
    }
    sb.append(" new test AUC | new − old |\n|---|---|");
    sb.append(sameSeeds ? "---|" : "").append("---|---|\n");
    for (EvalReport.Row r : now) {
      Model m = old.get(r.model());
      sb.append("| ").append(r.model()).append(" | ");
      if (m == null) {
        sb.append("—");
      } else {
        sb.append(
            String.format(Locale.ROOT, "%.4f ± %.4f (%d)", m.aucMean(), m.aucStd(), m.seeds()));
      }
      double reference = m == null ? Double.NaN : m.aucMean();
      if (sameSeeds) {
        sb.append(" | ");
        if (m == null || m.perSeed().isEmpty()) {
          sb.append("—");
        } else {
          double sum = 0;
          int k = 0;
          for (int s = 1; s <= Math.min(seeds, r.seeds()); s++) {
            Double a = m.perSeed().get(s);
            if (a != null) {
              sum += a;
              k++;
            }
          }
          reference = k > 0 ? sum / k : reference;
          sb.append(String.format(Locale.ROOT, "%.4f", reference));
        }
      }
      sb.append(" | ").append(r.auc().fmt()).append(" (").append(r.seeds()).append(") | ");
      sb.append(
          Double.isNaN(reference)
              ? "—"
              : String.format(Locale.ROOT, "%+.4f", r.auc().mean() - reference));
      sb.append(" |\n");
    }
    return sb.toString();
  }
}
