package io.tinstream.training.features;

import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@link HistorySelector} of every configured variant of a job, from each layer's declared need
 * ({@link io.tinstream.models.InterestLayer#history()}), its {@code K} (the variant's history
 * length) and the soft-search window; plus the job's plain selection, which probes answer with and
 * which layers without a need of their own are fed.
 */
public final class VariantHistories implements Serializable {
  private static final long serialVersionUID = 1L;

  private final HistorySelector plain;
  private final LinkedHashMap<String, HistorySelector> byVariant;
  private final String defaultVariant;

  private VariantHistories(
      HistorySelector plain, LinkedHashMap<String, HistorySelector> byVariant, String dflt) {
    this.plain = plain;
    this.byVariant = byVariant;
    this.defaultVariant = dflt;
  }

  /** No models: only probes, answered with {@code plain}. */
  public static VariantHistories probesOnly(HistorySelector plain) {
    return new VariantHistories(plain, new LinkedHashMap<>(), null);
  }

  /**
   * The variants of {@code params} (the first is the default), soft searches over {@code window}.
   */
  public static VariantHistories of(HistorySelector plain, List<ModelParams> params, int window) {
    if (window <= 0) {
      throw new IllegalArgumentException("soft-search window must be > 0, got " + window);
    }
    LinkedHashMap<String, HistorySelector> by = new LinkedHashMap<>();
    for (ModelParams p : params) {
      by.put(
          p.variant(),
          HistorySelector.forNeed(
              ModelRegistry.layer(p.variant()).history(),
              p.maxHistoryLength(),
              window,
              plain.kind()));
    }
    return new VariantHistories(plain, by, params.isEmpty() ? null : params.get(0).variant());
  }

  public HistorySelector plain() {
    return plain;
  }

  /**
   * The selection of a request's variant (blank = the default variant); a variant not configured
   * gets the plain one (its request is answered with an error downstream anyway).
   */
  public HistorySelector forVariant(String variant) {
    String v = variant == null || variant.isBlank() ? defaultVariant : variant;
    HistorySelector s = v == null ? null : byVariant.get(v);
    return s == null ? plain : s;
  }

  /** Variant → selection, in configuration order. */
  public Map<String, HistorySelector> byVariant() {
    return java.util.Collections.unmodifiableMap(byVariant);
  }

  /**
   * The longest latest-behaviors selection of any variant (lrea's L, dare's window), 0 if none: a
   * training example carries that suffix once and every such variant trains on its own tail of it.
   */
  public int longestLatestSuffix() {
    int n = 0;
    for (HistorySelector s : byVariant.values()) {
      if (s.isLatestSuffix()) {
        n = Math.max(n, s.length());
      }
    }
    return n;
  }

  /**
   * The selections an example carries besides the plain one and the latest suffix (e.g. the
   * stratified sample of td-sasrec, or SIM next to a hierarchical plain search), each once.
   */
  public List<HistorySelector> otherSelections() {
    Set<HistorySelector> out = new LinkedHashSet<>();
    for (HistorySelector s : byVariant.values()) {
      if (!s.isLatestSuffix() && !s.equals(plain)) {
        out.add(s);
      }
    }
    return new ArrayList<>(out);
  }
}
