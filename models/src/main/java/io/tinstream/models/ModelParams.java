package io.tinstream.models;

import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.models.internal.Optimizer;
import io.tinstream.models.layers.DareLayer;
import io.tinstream.models.layers.DinLayer;
import io.tinstream.models.layers.FieldEmbeddings;
import io.tinstream.models.layers.Head;
import io.tinstream.models.layers.LreaLayer;
import io.tinstream.models.layers.SasRecLayer;
import io.tinstream.models.layers.TemporalEncoding;
import io.tinstream.models.layers.TinLayer;
import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable configuration of a CTR model; build it with {@link #builder()}. It composes the
 * settings each part owns ({@link TinLayer.Settings}, {@link LreaLayer.Settings}, ...) with the few
 * that every part reads (variant, seed, history window, category slots).
 */
public final class ModelParams {

  /**
   * Categorical fields that own an embedding table (MODELS.md "Notation"): the ten item fields and
   * the scenario, which a behavior and the target both carry, and the behavior-only action type,
   * action detail (bucketed by {@link FeatureEncoding#actionDetailBucket}) and domain. Declaration
   * order is the column order of {@link Batch} and of the graph's inputs.
   */
  public enum Field {
    ITEM(true),
    CAT1(true),
    CAT2(true),
    CAT3(true),
    ACTION(false),
    SCENARIO(true),
    CREATIVE(true),
    PRODUCT(true),
    SPU(true),
    MARKETING_TARGET(true),
    ADVERTISER(true),
    INDUSTRY(true),
    ACTION_DETAIL(false),
    DOMAIN(false);

    private final boolean onTarget;
    // Computed once: feed names and the scoring work's serializer ask for it per record.
    private final String key;

    Field(boolean onTarget) {
      this.onTarget = onTarget;
      this.key = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the target (candidate ad) carries this field, not only the behaviors. */
    public boolean onTarget() {
      return onTarget;
    }

    /**
     * Lower-case name: the suffix of the field's table ({@code emb_<key>}), feeds ({@code
     * hist_<key>}, {@code tgt_<key>}) and settings ({@code rows.<key>}).
     */
    public String key() {
      return key;
    }

    /** The fields a target carries, in declaration order. */
    public static java.util.List<Field> targetFields() {
      return java.util.Arrays.stream(values()).filter(Field::onTarget).toList();
    }
  }

  /** TF session threads: intra-op and inter-op pools; 0 lets TF size a pool (all cores). */
  public record Threads(int intraOp, int interOp) {
    public static final Threads DEFAULT = new Threads(1, 1);

    public void validate() {
      if (intraOp < 0 || interOp < 0) {
        throw new IllegalArgumentException("threads must be >= 0 (0 = TF default)");
      }
    }
  }

  public static final String DEFAULT_VARIANT = "tin";
  public static final int DEFAULT_MAX_HISTORY = 100;
  public static final int DEFAULT_CATEGORY_SLOTS = 32;

  private final String variant;
  private final long seed;
  private final int maxHistoryLength;
  private final int categorySlots;
  private final FieldEmbeddings.Settings embeddings;
  private final TemporalEncoding.Settings temporalEncoding;
  private final TinLayer.Settings tin;
  private final DinLayer.Settings din;
  private final DareLayer.Settings dare;
  private final SasRecLayer.Settings sasRec;
  private final LreaLayer.Settings lrea;
  private final Head.Settings head;
  private final Optimizer.Settings optimizer;
  private final Threads threads;
  private final TfDevice device;
  private final boolean itemMatch;
  private final IdRowPolicy idRows;

  private ModelParams(Builder b) {
    this.variant = b.variant;
    this.seed = b.seed;
    this.maxHistoryLength = b.maxHistoryLength;
    this.categorySlots = b.categorySlots;
    this.embeddings = b.embeddings;
    this.temporalEncoding = b.temporalEncoding;
    this.tin = b.tin;
    this.din = b.din;
    this.dare = b.dare;
    this.sasRec = b.sasRec;
    this.lrea = b.lrea;
    this.head = b.head;
    this.optimizer = b.optimizer;
    this.threads = b.threads;
    this.device = b.device;
    this.itemMatch = b.itemMatch;
    this.idRows = b.idRows;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this object's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.variant = variant;
    b.seed = seed;
    b.maxHistoryLength = maxHistoryLength;
    b.categorySlots = categorySlots;
    b.embeddings = embeddings;
    b.temporalEncoding = temporalEncoding;
    b.tin = tin;
    b.din = din;
    b.dare = dare;
    b.sasRec = sasRec;
    b.lrea = lrea;
    b.head = head;
    b.optimizer = optimizer;
    b.threads = threads;
    b.device = device;
    b.itemMatch = itemMatch;
    b.idRows = idRows;
    return b;
  }

  public String variant() {
    return variant;
  }

  public long seed() {
    return seed;
  }

  public int maxHistoryLength() {
    return maxHistoryLength;
  }

  /** Target categories (L1) with their own slot in TdPE, dPE and TD-SASRec; the rest share one. */
  public int categorySlots() {
    return categorySlots;
  }

  /** Embedding dimension {@code d}. */
  public int dim() {
    return embeddings.dim();
  }

  /** Rows of the field's table, including the reserved row 0. */
  public int rows(Field f) {
    return embeddings.rows().get(f);
  }

  /** Rows of {@code P_dt}; bucket 0 is shared by the target and intervals under a minute. */
  public int timeBuckets() {
    return temporalEncoding.timeBuckets();
  }

  /** Rows of {@code P_pos}; row 0 is the target, 1 the most recent behavior, capped at the end. */
  public int positionBuckets() {
    return temporalEncoding.positionBuckets();
  }

  public FieldEmbeddings.Settings embeddings() {
    return embeddings;
  }

  public TemporalEncoding.Settings temporalEncoding() {
    return temporalEncoding;
  }

  public TinLayer.Settings tin() {
    return tin;
  }

  public DinLayer.Settings din() {
    return din;
  }

  public DareLayer.Settings dare() {
    return dare;
  }

  public SasRecLayer.Settings sasRec() {
    return sasRec;
  }

  public LreaLayer.Settings lrea() {
    return lrea;
  }

  public Head.Settings head() {
    return head;
  }

  public Optimizer.Settings optimizer() {
    return optimizer;
  }

  public Threads threads() {
    return threads;
  }

  /** Where the graph's ops are placed (soft placement: the CPU when that device is absent). */
  /**
   * Whether every behavior's embedding gets a learned vector added where its item is the target's
   * (an addition to MODELS.md, see docs/online-eval.md): target-aware attention over summed field
   * embeddings does not learn item identity from online data (docs/online-eval.md); only layers
   * whose behaviors may depend on the target take it ({@link
   * io.tinstream.models.layers.InterestLayer#takesItemMatch}).
   */
  public boolean itemMatch() {
    return itemMatch;
  }

  public TfDevice device() {
    return device;
  }

  /** How raw ids become table rows (collisionless mapping or hashing). */
  public IdRowPolicy idRows() {
    return idRows;
  }

  @Override
  public String toString() {
    return "ModelParams{variant="
        + variant
        + ", d="
        + dim()
        + ", rows="
        + embeddings.rows()
        + ", maxLen="
        + maxHistoryLength
        + ", timeBuckets="
        + timeBuckets()
        + ", positionBuckets="
        + positionBuckets()
        + ", mlp="
        + Arrays.toString(head.mlpLayers())
        + ", lr="
        + optimizer.learningRate()
        + ", embLr="
        + optimizer.embeddingLearningRate()
        + ", seed="
        + seed
        + ", itemMatch="
        + itemMatch
        + ", idRows="
        + idRows
        + ", projections="
        + tin.projections()
        + "}";
  }

  /**
   * Builder with one setter per setting (defaults: each part's {@code Settings.DEFAULT}); {@link
   * #build()} validates.
   */
  public static final class Builder {
    private String variant = DEFAULT_VARIANT;
    private long seed = 1L;
    private int maxHistoryLength = DEFAULT_MAX_HISTORY;
    private int categorySlots = DEFAULT_CATEGORY_SLOTS;
    private FieldEmbeddings.Settings embeddings = FieldEmbeddings.Settings.DEFAULT;
    private TemporalEncoding.Settings temporalEncoding = TemporalEncoding.Settings.DEFAULT;
    private TinLayer.Settings tin = TinLayer.Settings.DEFAULT;
    private DinLayer.Settings din = DinLayer.Settings.DEFAULT;
    private DareLayer.Settings dare = DareLayer.Settings.DEFAULT;
    private SasRecLayer.Settings sasRec = SasRecLayer.Settings.DEFAULT;
    private LreaLayer.Settings lrea = LreaLayer.Settings.DEFAULT;
    private Head.Settings head = Head.Settings.DEFAULT;
    private Optimizer.Settings optimizer = Optimizer.Settings.DEFAULT;
    private Threads threads = Threads.DEFAULT;
    private TfDevice device = TfDevice.CPU;
    private boolean itemMatch;
    private IdRowPolicy idRows = IdRowPolicy.HASHED;

    private Builder() {}

    public Builder variant(String v) {
      this.variant = Objects.requireNonNull(v, "variant");
      return this;
    }

    public Builder seed(long s) {
      this.seed = s;
      return this;
    }

    public Builder maxHistoryLength(int n) {
      this.maxHistoryLength = n;
      return this;
    }

    public Builder categorySlots(int n) {
      this.categorySlots = n;
      return this;
    }

    public Builder dim(int d) {
      this.embeddings = new FieldEmbeddings.Settings(d, embeddings.rows(), embeddings.initStd());
      return this;
    }

    public Builder rows(Field f, int n) {
      this.embeddings = embeddings.withRows(f, n);
      return this;
    }

    public Builder embeddingInitStd(float v) {
      this.embeddings = new FieldEmbeddings.Settings(embeddings.dim(), embeddings.rows(), v);
      return this;
    }

    public Builder timeBuckets(int n) {
      this.temporalEncoding = new TemporalEncoding.Settings(temporalEncoding.positionBuckets(), n);
      return this;
    }

    public Builder positionBuckets(int n) {
      this.temporalEncoding = new TemporalEncoding.Settings(n, temporalEncoding.timeBuckets());
      return this;
    }

    public Builder projections(boolean p) {
      this.tin = new TinLayer.Settings(p);
      return this;
    }

    public Builder dinAttentionHidden(int h) {
      this.din = new DinLayer.Settings(h);
      return this;
    }

    public Builder attentionDim(int d) {
      this.dare = new DareLayer.Settings(d);
      return this;
    }

    public Builder sasrecBlocks(int n) {
      this.sasRec = new SasRecLayer.Settings(n);
      return this;
    }

    public Builder lreaRank(int r) {
      this.lrea = new LreaLayer.Settings(r, lrea.lambda());
      return this;
    }

    public Builder lreaLambda(float lambda) {
      this.lrea = new LreaLayer.Settings(lrea.rank(), lambda);
      return this;
    }

    public Builder mlpLayers(int... layers) {
      this.head = new Head.Settings(layers);
      return this;
    }

    public Builder learningRate(float lr) {
      this.optimizer =
          new Optimizer.Settings(
              lr, optimizer.embeddingLearningRate(), optimizer.adagradInitialAccumulator());
      return this;
    }

    public Builder embeddingLearningRate(float lr) {
      this.optimizer =
          new Optimizer.Settings(
              optimizer.learningRate(), lr, optimizer.adagradInitialAccumulator());
      return this;
    }

    public Builder adagradInitialAccumulator(float v) {
      this.optimizer =
          new Optimizer.Settings(optimizer.learningRate(), optimizer.embeddingLearningRate(), v);
      return this;
    }

    public Builder threads(int intraOp, int interOp) {
      this.threads = new Threads(intraOp, interOp);
      return this;
    }

    public Builder itemMatch(boolean on) {
      this.itemMatch = on;
      return this;
    }

    public Builder idRows(IdRowPolicy policy) {
      this.idRows = Objects.requireNonNull(policy, "idRows");
      return this;
    }

    public Builder device(TfDevice device) {
      this.device = Objects.requireNonNull(device, "device");
      return this;
    }

    public ModelParams build() {
      embeddings.validate();
      require(maxHistoryLength > 0, "maxHistoryLength must be > 0");
      lrea.validate();
      temporalEncoding.validate();
      head.validate();
      optimizer.validate();
      din.validate();
      dare.validate();
      require(categorySlots >= 0, "categorySlots must be >= 0");
      sasRec.validate();
      threads.validate();
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
