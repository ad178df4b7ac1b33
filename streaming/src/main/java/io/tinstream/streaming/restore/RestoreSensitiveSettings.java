package io.tinstream.streaming.restore;

import io.tinstream.models.ModelParams;
import io.tinstream.streaming.ModelSpecs;
import io.tinstream.streaming.TinstreamOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The settings a job restored from a savepoint or checkpoint must keep, by name, with their values:
 * those that shape the trained weights (which the trainer imports as they are) and the per-user
 * entries derived from them. Everything else may change on restore; in particular the trajectory's
 * chunk size only decides when future chunks are sealed (see {@code TrajectoryPolicy}), and a
 * variant added or dropped starts afresh or is skipped.
 *
 * <p>Per variant: its dimensions (embedding width, table rows, time and position buckets, category
 * slots) and the rows of its side-info tables, which a build decides, not an option; and for
 * {@value ModelSpecs#LREA_VARIANT}, {@code tinstream.lrea.max-length} and {@code
 * tinstream.lrea.rank}, the shape of its compression weights and of every user's LREA entry.
 */
public final class RestoreSensitiveSettings implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Separates a setting's name from its value in the stored form; no name contains it. */
  private static final String SEPARATOR = "\t";

  /**
   * The fields whose rows are part of the dimensions: those with a table when the setting was
   * introduced (its recorded value must compare equal); later ones have a setting of their own.
   */
  private static final Set<ModelParams.Field> FIELDS_IN_DIMENSIONS =
      EnumSet.range(ModelParams.Field.ITEM, ModelParams.Field.SCENARIO);

  private final LinkedHashMap<String, String> values;

  private RestoreSensitiveSettings(Map<String, String> values) {
    this.values = new LinkedHashMap<>(values);
  }

  /** Those of a job training and serving {@code specs}; none when the job has no models. */
  public static RestoreSensitiveSettings of(ModelSpecs specs) {
    Map<String, String> values = new LinkedHashMap<>();
    if (specs == null) {
      return new RestoreSensitiveSettings(values);
    }
    for (String variant : specs.variants()) {
      ModelParams p = specs.params(variant);
      values.put(dimensionsName(variant), dimensions(p));
      // A setting of its own, not part of the dimensions: state recorded before these fields had
      // tables has no such setting, which is no change (the tables start afresh).
      values.put(laterFieldRowsName(variant), laterFieldRows(p));
      if (ModelSpecs.LREA_VARIANT.equals(variant)) {
        values.put(
            variantScoped(TinstreamOptions.LREA_MAX_LENGTH.key(), variant),
            String.valueOf(p.maxHistoryLength()));
        values.put(
            variantScoped(TinstreamOptions.LREA_RANK.key(), variant),
            String.valueOf(p.lrea().rank()));
      }
    }
    return new RestoreSensitiveSettings(values);
  }

  /** As {@link #encode} wrote them; a line it did not write is an error. */
  public static RestoreSensitiveSettings decode(Iterable<String> lines) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String line : lines) {
      int at = line.indexOf(SEPARATOR);
      if (at < 0) {
        throw new IllegalArgumentException("not a restore-sensitive setting: '" + line + "'");
      }
      values.put(line.substring(0, at), line.substring(at + SEPARATOR.length()));
    }
    return new RestoreSensitiveSettings(values);
  }

  /** One line per setting, for operator state. */
  public List<String> encode() {
    List<String> lines = new ArrayList<>();
    values.forEach((name, value) -> lines.add(name + SEPARATOR + value));
    return lines;
  }

  public Map<String, String> values() {
    return new LinkedHashMap<>(values);
  }

  /**
   * What changed from {@code recorded} (the restored state's) to these, one sentence each; empty
   * when the restore is safe. A setting only one side has is no change: a variant added to the job
   * starts afresh, one dropped is not restored.
   */
  public List<String> changesFrom(RestoreSensitiveSettings recorded) {
    List<String> changes = new ArrayList<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      String before = recorded.values.get(e.getKey());
      if (before != null && !before.equals(e.getValue())) {
        changes.add(e.getKey() + " changed from " + before + " to " + e.getValue());
      }
    }
    return changes;
  }

  private static String dimensionsName(String variant) {
    return "model dimensions of variant " + variant;
  }

  private static String laterFieldRowsName(String variant) {
    return "side-info table rows of variant " + variant;
  }

  private static String laterFieldRows(ModelParams p) {
    StringBuilder rows = new StringBuilder();
    for (ModelParams.Field f : ModelParams.Field.values()) {
      if (!FIELDS_IN_DIMENSIONS.contains(f)) {
        rows.append(rows.length() == 0 ? "" : ",").append(f.key()).append('=').append(p.rows(f));
      }
    }
    return "rows{" + rows + "}";
  }

  private static String variantScoped(String option, String variant) {
    return option + " (variant " + variant + ")";
  }

  private static String dimensions(ModelParams p) {
    StringBuilder rows = new StringBuilder();
    for (ModelParams.Field f : FIELDS_IN_DIMENSIONS) {
      rows.append(rows.length() == 0 ? "" : ",").append(f.name().toLowerCase()).append('=');
      rows.append(p.rows(f));
    }
    return "[d="
        + p.dim()
        + " rows{"
        + rows
        + "} time-buckets="
        + p.timeBuckets()
        + " position-buckets="
        + p.positionBuckets()
        + " category-slots="
        + p.categorySlots()
        + (p.itemMatch() ? " item-match" : "")
        // Only when collisionless, so the settings recorded by hashed models before the mapping
        // existed still match a hashed job, and a collisionless job names what changed.
        + (p.idRows().collisionless() ? " ids=collisionless" : "")
        + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RestoreSensitiveSettings other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
