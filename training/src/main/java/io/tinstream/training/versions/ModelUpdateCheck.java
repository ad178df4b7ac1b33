package io.tinstream.training.versions;

import io.tinstream.models.internal.VariableCodec;
import io.tinstream.schemas.ModelUpdate;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a model update read from a topic can be taken at all, before any holder stores or imports
 * it: its checksum matches, its payload decodes completely (no truncation, no trailing bytes), the
 * payload's own header agrees with the record (variant, version, kind, base), every weight is
 * finite, and every tensor fits the variant's {@link VariableLayout configured params}. An update
 * that fails is a poison pill: stored, it would fail every import (every behavior, every restart),
 * or, when its header disagrees with the record, be imported again on every read.
 *
 * <p>Which updates a holder takes among the valid ones (order, gaps, runs) is {@link
 * UpdateVerdict}'s business, not this check's.
 */
public final class ModelUpdateCheck {

  private ModelUpdateCheck() {}

  /** Only what needs no layout: the checksum and the record's own fields. */
  public static Optional<String> record(ModelUpdate update) {
    Optional<String> checksum = ModelUpdateChecksum.mismatch(update);
    if (checksum.isPresent()) {
      return checksum;
    }
    int format = update.getFormatVersion();
    if (format < 1 || format > VariableCodec.FORMAT_VERSION) {
      return Optional.of(
          "payload format "
              + format
              + " not supported (this code reads 1.."
              + VariableCodec.FORMAT_VERSION
              + ")");
    }
    boolean full = ModelUpdates.isFull(update);
    if (full && update.getBaseVersion() != -1) {
      return Optional.of("a full snapshot with base version " + update.getBaseVersion());
    }
    if (!full && (update.getBaseVersion() < 0 || update.getBaseVersion() >= update.getVersion())) {
      return Optional.of(
          "delta "
              + update.getVersion()
              + " on base "
              + update.getBaseVersion()
              + " (a base must be an earlier version)");
    }
    return Optional.empty();
  }

  /** Everything: {@link #record} and the payload, decoded whole, against {@code layout}. */
  public static Optional<String> content(ModelUpdate update, VariableLayout layout) {
    Optional<String> record = record(update);
    if (record.isPresent()) {
      return record;
    }
    if (!layout.variant().equals(update.getVariant())) {
      return Optional.of(
          "update of '" + update.getVariant() + "' checked against '" + layout.variant() + "'");
    }
    VariableCodec.Snapshot s;
    try {
      s = VariableCodec.decode(ModelUpdates.payload(update));
    } catch (IllegalArgumentException e) {
      return Optional.of("payload: " + e.getMessage());
    }
    String header = headerMismatch(update, s);
    if (header != null) {
      return Optional.of("payload header disagrees with the record: " + header);
    }
    String misfit = layout.misfit(s);
    if (misfit != null) {
      return Optional.of("payload does not fit " + update.getVariant() + ": " + misfit);
    }
    String nonFinite = nonFinite(s);
    return nonFinite == null
        ? Optional.empty()
        : Optional.of("payload holds a non-finite value in " + nonFinite);
  }

  private static String headerMismatch(ModelUpdate update, VariableCodec.Snapshot s) {
    if (!s.variant().equals(update.getVariant())) {
      return "variant '" + s.variant() + "', record '" + update.getVariant() + "'";
    }
    if (s.version() != update.getVersion()) {
      return "version " + s.version() + ", record " + update.getVersion();
    }
    if (s.full() != ModelUpdates.isFull(update)) {
      return (s.full() ? "full snapshot" : "delta") + ", record " + update.getKind();
    }
    if (!s.full() && s.baseVersion() != update.getBaseVersion()) {
      return "base " + s.baseVersion() + ", record " + update.getBaseVersion();
    }
    return null;
  }

  /** The first variable holding a NaN or an infinity, or null. */
  private static String nonFinite(VariableCodec.Snapshot s) {
    for (Map.Entry<String, VariableCodec.Dense> e : s.dense().entrySet()) {
      if (!allFinite(e.getValue().values())) {
        return e.getKey();
      }
    }
    for (Map.Entry<String, VariableCodec.Rows> e : s.tables().entrySet()) {
      if (!allFinite(e.getValue().values()) || !allFinite(e.getValue().accum())) {
        return e.getKey();
      }
    }
    return null;
  }

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}
