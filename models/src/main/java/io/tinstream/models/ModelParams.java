package io.tinstream.models;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** Immutable configuration of a CTR model; build it with {@link #builder()}. */
public final class ModelParams {

  /** Categorical fields that own an embedding table. */
  public enum Field {
    ITEM,
    CAT1,
    CAT2,
    CAT3,
    ACTION,
    SCENARIO
  }

  public static final String DEFAULT_VARIANT = "tin";
  public static final int DEFAULT_DIM = 16;
  public static final int DEFAULT_ITEM_ROWS = 1 << 15;
  public static final int DEFAULT_CATEGORY_ROWS = 1 << 10;
  public static final int DEFAULT_SMALL_ROWS = 64;
  public static final int DEFAULT_MAX_HISTORY = 100;
  public static final int DEFAULT_TIME_BUCKETS = 32;

  /** LREA rank {@code r} (paper: 128 at L = 10000, d = 16). */
  public static final int DEFAULT_LREA_RANK = 128;

  /** LREA non-negativity weight {@code λ} (paper's best). */
  public static final float DEFAULT_LREA_LAMBDA = 0.3f;

  public static final int DEFAULT_POSITION_BUCKETS = 257;
  public static final int[] DEFAULT_MLP = {200, 80};
  public static final float DEFAULT_LEARNING_RATE = 1e-3f;
  public static final float DEFAULT_EMBEDDING_LEARNING_RATE = 0.05f;
  public static final int DEFAULT_DIN_ATTENTION_HIDDEN = 36;
  public static final int DEFAULT_CATEGORY_SLOTS = 32;
  public static final int DEFAULT_SASREC_BLOCKS = 2;

  private final String variant;
  private final int dim;
  private final Map<Field, Integer> rows;
  private final int maxHistoryLength;
  private final int timeBuckets;
  private final int positionBuckets;
  private final int[] mlpLayers;
  private final float learningRate;
  private final float embeddingLearningRate;
  private final float adagradInitialAccumulator;
  private final float embeddingInitStd;
  private final int lreaRank;
  private final float lreaLambda;
  private final long seed;
  private final boolean projections;
  private final int dinAttentionHidden;
  private final int attentionDim;
  private final int categorySlots;
  private final int sasrecBlocks;
  private final int intraOpThreads;
  private final int interOpThreads;

  private ModelParams(Builder b) {
    this.variant = b.variant;
    this.dim = b.dim;
    this.rows = new EnumMap<>(b.rows);
    this.maxHistoryLength = b.maxHistoryLength;
    this.timeBuckets = b.timeBuckets;
    this.positionBuckets = b.positionBuckets;
    this.mlpLayers = b.mlpLayers.clone();
    this.learningRate = b.learningRate;
    this.embeddingLearningRate = b.embeddingLearningRate;
    this.adagradInitialAccumulator = b.adagradInitialAccumulator;
    this.embeddingInitStd = b.embeddingInitStd;
    this.lreaRank = b.lreaRank;
    this.lreaLambda = b.lreaLambda;
    this.seed = b.seed;
    this.projections = b.projections;
    this.dinAttentionHidden = b.dinAttentionHidden;
    this.attentionDim = b.attentionDim;
    this.categorySlots = b.categorySlots;
    this.sasrecBlocks = b.sasrecBlocks;
    this.intraOpThreads = b.intraOpThreads;
    this.interOpThreads = b.interOpThreads;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this object's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.variant = variant;
    b.dim = dim;
    b.rows.putAll(rows);
    b.maxHistoryLength = maxHistoryLength;
    b.timeBuckets = timeBuckets;
    b.positionBuckets = positionBuckets;
    b.mlpLayers = mlpLayers.clone();
    b.learningRate = learningRate;
    b.embeddingLearningRate = embeddingLearningRate;
    b.adagradInitialAccumulator = adagradInitialAccumulator;
    b.embeddingInitStd = embeddingInitStd;
    b.lreaRank = lreaRank;
    b.lreaLambda = lreaLambda;
    b.seed = seed;
    b.projections = projections;
    b.dinAttentionHidden = dinAttentionHidden;
    b.attentionDim = attentionDim;
    b.categorySlots = categorySlots;
    b.sasrecBlocks = sasrecBlocks;
    b.intraOpThreads = intraOpThreads;
    b.interOpThreads = interOpThreads;
    return b;
  }

  public String variant() {
    return variant;
  }

  /** Embedding dimension {@code d}. */
  public int dim() {
    return dim;
  }

  /** Rows of the field's table, including the reserved row 0. */
  public int rows(Field f) {
    return rows.get(f);
  }

  public int maxHistoryLength() {
    return maxHistoryLength;
  }

  /** Rows of {@code P_dt}; bucket 0 is shared by the target and intervals under a minute. */
  public int timeBuckets() {
    return timeBuckets;
  }

  /** Rows of {@code P_pos}; row 0 is the target, 1 the most recent behavior, capped at the end. */
  public int positionBuckets() {
    return positionBuckets;
  }

  public int[] mlpLayers() {
    return mlpLayers.clone();
  }

  /** Adam learning rate of the dense weights. */
  public float learningRate() {
    return learningRate;
  }

  /** Adagrad learning rate of the (sparsely updated) embedding tables. */
  public float embeddingLearningRate() {
    return embeddingLearningRate;
  }

  public float adagradInitialAccumulator() {
    return adagradInitialAccumulator;
  }

  public float embeddingInitStd() {
    return embeddingInitStd;
  }

  /** LREA rank {@code r}: virtual behaviors in {@code E_comp} / {@code E_aux}. */
  public int lreaRank() {
    return lreaRank;
  }

  /** LREA weight {@code λ} of the non-negativity loss. */
  public float lreaLambda() {
    return lreaLambda;
  }

  public long seed() {
    return seed;
  }

  /** Learned {@code W_q, W_k, W_v, W_u} in TIN instead of identity. */
  public boolean projections() {
    return projections;
  }

  public int dinAttentionHidden() {
    return dinAttentionHidden;
  }

  /**
   * DARE attention-table dim {@code d_A}; 0 means "the variant decides" ({@code d}, or {@code d/2}
   * for {@code dare-half}).
   */
  public int attentionDim() {
    return attentionDim;
  }

  /** Target categories (L1) with their own slot in TdPE, dPE and TD-SASRec; the rest share one. */
  public int categorySlots() {
    return categorySlots;
  }

  /** Causal self-attention blocks of the SASRec user tower. */
  public int sasrecBlocks() {
    return sasrecBlocks;
  }

  public int intraOpThreads() {
    return intraOpThreads;
  }

  public int interOpThreads() {
    return interOpThreads;
  }

  @Override
  public String toString() {
    return "ModelParams{variant="
        + variant
        + ", d="
        + dim
        + ", rows="
        + rows
        + ", maxLen="
        + maxHistoryLength
        + ", timeBuckets="
        + timeBuckets
        + ", positionBuckets="
        + positionBuckets
        + ", mlp="
        + Arrays.toString(mlpLayers)
        + ", lr="
        + learningRate
        + ", embLr="
        + embeddingLearningRate
        + ", seed="
        + seed
        + ", projections="
        + projections
        + "}";
  }

  /** Validating builder; every setter has a documented default. */
  public static final class Builder {
    private String variant = DEFAULT_VARIANT;
    private int dim = DEFAULT_DIM;
    private final Map<Field, Integer> rows = new EnumMap<>(Field.class);
    private int maxHistoryLength = DEFAULT_MAX_HISTORY;
    private int timeBuckets = DEFAULT_TIME_BUCKETS;
    private int positionBuckets = DEFAULT_POSITION_BUCKETS;
    private int[] mlpLayers = DEFAULT_MLP.clone();
    private float learningRate = DEFAULT_LEARNING_RATE;
    private float embeddingLearningRate = DEFAULT_EMBEDDING_LEARNING_RATE;
    private float adagradInitialAccumulator = 0.1f;
    private float embeddingInitStd = 0.05f;
    private int lreaRank = DEFAULT_LREA_RANK;
    private float lreaLambda = DEFAULT_LREA_LAMBDA;
    private long seed = 1L;
    private boolean projections = false;
    private int dinAttentionHidden = DEFAULT_DIN_ATTENTION_HIDDEN;
    private int attentionDim = 0;
    private int categorySlots = DEFAULT_CATEGORY_SLOTS;
    private int sasrecBlocks = DEFAULT_SASREC_BLOCKS;
    private int intraOpThreads = 1;
    private int interOpThreads = 1;

    private Builder() {
      rows.put(Field.ITEM, DEFAULT_ITEM_ROWS);
      rows.put(Field.CAT1, DEFAULT_CATEGORY_ROWS);
      rows.put(Field.CAT2, DEFAULT_CATEGORY_ROWS);
      rows.put(Field.CAT3, DEFAULT_CATEGORY_ROWS);
      rows.put(Field.ACTION, DEFAULT_SMALL_ROWS);
      rows.put(Field.SCENARIO, DEFAULT_SMALL_ROWS);
    }

    public Builder variant(String v) {
      this.variant = Objects.requireNonNull(v, "variant");
      return this;
    }

    public Builder dim(int d) {
      this.dim = d;
      return this;
    }

    public Builder rows(Field f, int n) {
      rows.put(f, n);
      return this;
    }

    public Builder maxHistoryLength(int n) {
      this.maxHistoryLength = n;
      return this;
    }

    public Builder timeBuckets(int n) {
      this.timeBuckets = n;
      return this;
    }

    public Builder positionBuckets(int n) {
      this.positionBuckets = n;
      return this;
    }

    public Builder mlpLayers(int... layers) {
      this.mlpLayers = layers.clone();
      return this;
    }

    public Builder learningRate(float lr) {
      this.learningRate = lr;
      return this;
    }

    public Builder embeddingLearningRate(float lr) {
      this.embeddingLearningRate = lr;
      return this;
    }

    public Builder adagradInitialAccumulator(float v) {
      this.adagradInitialAccumulator = v;
      return this;
    }

    public Builder embeddingInitStd(float v) {
      this.embeddingInitStd = v;
      return this;
    }

    public Builder lreaRank(int r) {
      this.lreaRank = r;
      return this;
    }

    public Builder lreaLambda(float lambda) {
      this.lreaLambda = lambda;
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder projections(boolean p) {
      this.projections = p;
      return this;
    }

    public Builder dinAttentionHidden(int h) {
      this.dinAttentionHidden = h;
      return this;
    }

    public Builder attentionDim(int d) {
      this.attentionDim = d;
      return this;
    }

    public Builder categorySlots(int n) {
      this.categorySlots = n;
      return this;
    }

    public Builder sasrecBlocks(int n) {
      this.sasrecBlocks = n;
      return this;
    }

    public Builder threads(int intraOp, int interOp) {
      this.intraOpThreads = intraOp;
      this.interOpThreads = interOp;
      return this;
    }

    public ModelParams build() {
      require(dim > 0, "dim must be > 0, got " + dim);
      for (Map.Entry<Field, Integer> e : rows.entrySet()) {
        require(e.getValue() >= 2, "rows(" + e.getKey() + ") must be >= 2 (row 0 is reserved)");
      }
      require(maxHistoryLength > 0, "maxHistoryLength must be > 0");
      require(lreaRank > 0, "lreaRank must be > 0, got " + lreaRank);
      require(lreaLambda >= 0, "lreaLambda must be >= 0, got " + lreaLambda);
      require(timeBuckets >= 2, "timeBuckets must be >= 2");
      require(positionBuckets >= 2, "positionBuckets must be >= 2");
      require(mlpLayers.length > 0, "mlpLayers must not be empty");
      for (int h : mlpLayers) {
        require(h > 0, "mlp layer widths must be > 0");
      }
      require(learningRate > 0 && embeddingLearningRate > 0, "learning rates must be > 0");
      require(adagradInitialAccumulator > 0, "adagradInitialAccumulator must be > 0");
      require(dinAttentionHidden > 0, "dinAttentionHidden must be > 0");
      require(attentionDim >= 0, "attentionDim must be >= 0 (0 = variant default)");
      require(categorySlots >= 0, "categorySlots must be >= 0");
      require(sasrecBlocks >= 1, "sasrecBlocks must be >= 1");
      require(intraOpThreads >= 1 && interOpThreads >= 1, "threads must be >= 1");
      require(!variant.isBlank(), "variant must not be blank");
      return new ModelParams(this);
    }

    private static void require(boolean ok, String msg) {
      if (!ok) {
        throw new IllegalArgumentException(msg);
      }
    }
  }
}
