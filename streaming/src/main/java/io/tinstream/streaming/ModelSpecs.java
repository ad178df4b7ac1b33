package io.tinstream.streaming;

import io.tinstream.models.CtrModel;
import io.tinstream.models.ModelParams;
import io.tinstream.models.ModelRegistry;
import io.tinstream.models.TfDevice;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.models.internal.ModelParamsIO;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.VariantHistories;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

/**
 * The model variants a job trains and serves, by name, with their parameters. Serializable (as
 * properties) so operators carry them to the cluster; the trainer and the scorer build identical
 * graphs from the same specs, which is what lets weights move between them.
 */
public final class ModelSpecs implements Serializable {
  private static final long serialVersionUID = 1L;

  /** TF threads per model session: the job shares a few cores with Flink itself. */
  public static final int DEFAULT_THREADS = 1;

  /**
   * Adagrad rate of the embedding tables online. Higher than the offline default: an online model
   * sees each example once, and the offline eval settled on 0.5 (docs/eval-movielens.md).
   */
  public static final float ONLINE_EMBEDDING_LEARNING_RATE = 0.5f;

  /**
   * The item-match term online (an addition to MODELS.md, see docs/online-eval.md): without it no
   * variant learns from the stream that an ad of an item the user just engaged with is clicked more
   * (docs/online-eval.md). Offline {@code eval} runs the models as MODELS.md defines them, without
   * it.
   */
  public static final boolean ONLINE_ITEM_MATCH = true;

  /**
   * The variant served from per-user LREA entries in the trajectory operator rather than by the
   * micro-batch scorer, and trained on the latest behaviors instead of the searched ones.
   */
  public static final String LREA_VARIANT = "lrea";

  /**
   * The variant answered in the trajectory operator from per-user head vectors cached in keyed
   * state (MODELS.md "Target-decoupled SASRec"), rather than by the micro-batch scorer.
   */
  public static final String TD_SASREC_VARIANT = "td-sasrec";

  private final LinkedHashMap<String, Properties> byVariant = new LinkedHashMap<>();
  private final String defaultVariant;
  private final int searchedHistory;
  private int softSearchWindow = TinstreamOptions.SOFT_SEARCH_WINDOW.defaultValue();
  private HistorySelector plainHistory;
  // The TF session settings of every variant's trainer and scorer; kept apart from the per-variant
  // properties because they describe the machine, not the model (a published version loads on any).
  private TfDevice tfDevice = TfDevice.CPU;
  private int intraOpThreads = DEFAULT_THREADS;
  private int interOpThreads = 1;

  private ModelSpecs(List<ModelParams> params, int searchedHistory) {
    if (params.isEmpty()) {
      throw new IllegalArgumentException("at least one model variant is required");
    }
    for (ModelParams p : params) {
      if (!ModelRegistry.names().contains(p.variant())) {
        throw new IllegalArgumentException(
            "unknown model variant '" + p.variant() + "', known: " + ModelRegistry.names());
      }
      byVariant.put(p.variant(), ModelParamsIO.toProperties(p, 0));
    }
    this.defaultVariant = params.get(0).variant();
    this.searchedHistory = searchedHistory;
    this.plainHistory =
        HistorySelector.parse(TinstreamOptions.SEARCH_MODE.defaultValue(), searchedHistory);
  }

  /**
   * Specs for the named variants (the first is the default for requests that name none), all with
   * the same base parameters and a history of {@code maxHistory} behaviors.
   */
  public static ModelSpecs of(List<String> variants, int maxHistory, long seed) {
    return of(
        variants,
        maxHistory,
        TinstreamOptions.LREA_MAX_LENGTH.defaultValue(),
        TinstreamOptions.LREA_RANK.defaultValue(),
        seed);
  }

  /**
   * As {@link #of(List, int, long)}, with the {@value #LREA_VARIANT} variant (if named) over the
   * latest {@code lreaLength} behaviors at rank {@code lreaRank}.
   */
  public static ModelSpecs of(
      List<String> variants, int maxHistory, int lreaLength, int lreaRank, long seed) {
    if (maxHistory <= 0 || lreaLength <= 0 || lreaRank <= 0) {
      throw new IllegalArgumentException(
          "history length, LREA length and rank must be > 0, got "
              + maxHistory
              + ", "
              + lreaLength
              + ", "
              + lreaRank);
    }
    List<ModelParams> params = new ArrayList<>();
    for (String variant : variants) {
      boolean lrea = LREA_VARIANT.equals(variant.trim());
      params.add(
          ModelParams.builder()
              .variant(variant.trim())
              .maxHistoryLength(lrea ? lreaLength : maxHistory)
              .lreaRank(lreaRank)
              .seed(seed)
              .embeddingLearningRate(ONLINE_EMBEDDING_LEARNING_RATE)
              .itemMatch(ONLINE_ITEM_MATCH)
              .threads(DEFAULT_THREADS, 1)
              .build());
    }
    return new ModelSpecs(params, maxHistory);
  }

  public List<String> variants() {
    return new ArrayList<>(byVariant.keySet());
  }

  public String defaultVariant() {
    return defaultVariant;
  }

  public boolean contains(String variant) {
    return byVariant.containsKey(variant);
  }

  public ModelParams params(String variant) {
    return ModelParamsIO.fromProperties(byVariant.get(variant)).toBuilder()
        .threads(intraOpThreads, interOpThreads)
        .device(tfDevice)
        .build();
  }

  /**
   * The same specs with every variant's TF sessions (trainer and scorer) placed on {@code device}
   * and sized to the given thread pools (0 = TF's default).
   */
  public ModelSpecs withTfSession(TfDevice device, int intraOp, int interOp) {
    new ModelParams.Threads(intraOp, interOp).validate();
    ModelSpecs copy = copy(softSearchWindow, plainHistory);
    copy.tfDevice = java.util.Objects.requireNonNull(device, "device");
    copy.intraOpThreads = intraOp;
    copy.interOpThreads = interOp;
    return copy;
  }

  /** The same specs with every variant mapping ids to rows by {@code policy}. */
  public ModelSpecs withIdRows(IdRowPolicy policy) {
    return withEveryVariant(b -> b.idRows(policy));
  }

  /** The same specs with every variant's field tables at {@code rows} (fields absent: as is). */
  public ModelSpecs withTableRows(Map<ModelParams.Field, Integer> rows) {
    return withEveryVariant(
        b -> {
          rows.forEach(b::rows);
          return b;
        });
  }

  private ModelSpecs withEveryVariant(UnaryOperator<ModelParams.Builder> change) {
    List<ModelParams> params = new ArrayList<>();
    for (ModelParams p : allParams()) {
      params.add(change.apply(p.toBuilder()).build());
    }
    return copy(params, softSearchWindow, plainHistory);
  }

  /** The K of every variant but lrea (what {@link #histories()} selects for them). */
  public int maxHistory() {
    return searchedHistory;
  }

  /**
   * The same specs with soft-search variants (dare, twin) fed the latest {@code window} behaviors,
   * in which they keep their own top K.
   */
  public ModelSpecs withSoftSearchWindow(int window) {
    if (window <= 0) {
      throw new IllegalArgumentException("soft-search window must be > 0, got " + window);
    }
    return copy(window, plainHistory);
  }

  /**
   * The same specs with {@code plain} (the job's search, see {@link TinstreamOptions#SEARCH_MODE})
   * as the history of layers without a need of their own.
   */
  public ModelSpecs withPlainHistory(HistorySelector plain) {
    return copy(softSearchWindow, java.util.Objects.requireNonNull(plain));
  }

  private ModelSpecs copy(int window, HistorySelector plain) {
    return copy(allParams(), window, plain);
  }

  private ModelSpecs copy(List<ModelParams> params, int window, HistorySelector plain) {
    ModelSpecs copy = new ModelSpecs(params, searchedHistory);
    copy.softSearchWindow = window;
    copy.plainHistory = plain;
    copy.tfDevice = tfDevice;
    copy.intraOpThreads = intraOpThreads;
    copy.interOpThreads = interOpThreads;
    return copy;
  }

  /**
   * Which history each variant is fed: its layer's own need, or the plain history for layers
   * without one. The trajectory operator selects by it, the trainer and the scorer batch by it.
   */
  public VariantHistories histories() {
    return VariantHistories.of(plainHistory, allParams(), softSearchWindow);
  }

  private List<ModelParams> allParams() {
    List<ModelParams> all = new ArrayList<>();
    for (String variant : byVariant.keySet()) {
      all.add(params(variant));
    }
    return all;
  }

  /** Whether the {@value #LREA_VARIANT} variant is configured. */
  public boolean hasLrea() {
    return contains(LREA_VARIANT);
  }

  /** Whether the {@value #TD_SASREC_VARIANT} variant is configured. */
  public boolean hasTdSasRec() {
    return contains(TD_SASREC_VARIANT);
  }

  /**
   * The configured variants the trajectory operator serves from per-user state, and whose full
   * snapshots it therefore reads back from the model-updates topic.
   */
  public List<String> servedFromKeyedState() {
    List<String> out = new ArrayList<>();
    for (String v : List.of(LREA_VARIANT, TD_SASREC_VARIANT)) {
      if (contains(v)) {
        out.add(v);
      }
    }
    return out;
  }

  /** A fresh model of the variant (random initial weights from the spec's seed). */
  public CtrModel build(String variant) {
    return ModelRegistry.build(params(variant));
  }

  /** Variant → properties, for logging and tests. */
  public Map<String, Properties> asMap() {
    return new LinkedHashMap<>(byVariant);
  }
}
