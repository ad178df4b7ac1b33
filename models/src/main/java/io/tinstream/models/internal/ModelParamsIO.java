package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.models.layers.DareLayer;
import io.tinstream.models.layers.FieldEmbeddings;
import io.tinstream.models.layers.LreaLayer;
import io.tinstream.models.layers.SasRecLayer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * {@link ModelParams} as properties, stored next to a SavedModel so a loader can hash inputs. One
 * table, {@link #KEYS}, says how each key is written and read back.
 *
 * <p>The Adagrad accumulator start, the embedding init scale and the session threads are not
 * stored, so a loaded model has their defaults: a SavedModel is only scored, never initialized or
 * trained, and each loader picks its own threads.
 */
public final class ModelParamsIO {
  /** Bumped when keys change; readers accept every version up to this one. */
  public static final int FORMAT_VERSION = 1;

  /** Fields whose table rows every file holds (the first ones a model had). */
  private static final EnumSet<ModelParams.Field> FIELDS_OF_FORMAT_1 =
      EnumSet.range(ModelParams.Field.ITEM, ModelParams.Field.SCENARIO);

  /**
   * One property: its key, how it is read from params and set on a builder, and the value a file
   * without the key stands for ({@code null}: the key is required).
   */
  private record Key<T>(
      String name,
      Function<ModelParams, T> get,
      Function<T, String> format,
      Function<String, T> parse,
      BiConsumer<ModelParams.Builder, T> set,
      String ifAbsent) {

    void write(ModelParams p, Properties props) {
      props.setProperty(name, format.apply(get.apply(p)));
    }

    void read(Properties props, ModelParams.Builder b) {
      set.accept(b, parse.apply(props.getProperty(name, ifAbsent)));
    }
  }

  /** Keys in the order they are read: a file missing several reports the first of them. */
  private static final List<Key<?>> KEYS = keys();

  private static List<Key<?>> keys() {
    List<Key<?>> k = new ArrayList<>();
    k.add(key("variant", ModelParams::variant, Function.identity(), ModelParams.Builder::variant));
    k.add(integer("dim", ModelParams::dim, ModelParams.Builder::dim));
    k.add(
        integer(
            "maxHistoryLength",
            ModelParams::maxHistoryLength,
            ModelParams.Builder::maxHistoryLength));
    k.add(integer("timeBuckets", ModelParams::timeBuckets, ModelParams.Builder::timeBuckets));
    k.add(
        integer(
            "positionBuckets", ModelParams::positionBuckets, ModelParams.Builder::positionBuckets));
    k.add(
        new Key<>(
            "mlpLayers",
            p -> p.head().mlpLayers(),
            a -> Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining(",")),
            s -> Arrays.stream(s.split(",")).mapToInt(Integer::parseInt).toArray(),
            ModelParams.Builder::mlpLayers,
            null));
    k.add(
        real("learningRate", p -> p.optimizer().learningRate(), ModelParams.Builder::learningRate));
    k.add(
        real(
            "embeddingLearningRate",
            p -> p.optimizer().embeddingLearningRate(),
            ModelParams.Builder::embeddingLearningRate));
    k.add(key("seed", ModelParams::seed, Long::parseLong, ModelParams.Builder::seed));
    k.add(
        key(
            "projections",
            p -> p.tin().projections(),
            Boolean::parseBoolean,
            ModelParams.Builder::projections));
    // Files written before the item match hold models without it.
    k.add(
        optional(
            key(
                "itemMatch",
                ModelParams::itemMatch,
                Boolean::parseBoolean,
                ModelParams.Builder::itemMatch),
            false));
    k.add(
        integer(
            "dinAttentionHidden",
            p -> p.din().attentionHidden(),
            ModelParams.Builder::dinAttentionHidden));
    // Files written before LREA hold models that used its defaults.
    LreaLayer.Settings lrea = LreaLayer.Settings.DEFAULT;
    k.add(
        optional(
            integer("lreaRank", p -> p.lrea().rank(), ModelParams.Builder::lreaRank), lrea.rank()));
    k.add(
        optional(
            real("lreaLambda", p -> p.lrea().lambda(), ModelParams.Builder::lreaLambda),
            lrea.lambda()));
    // Files written before the creative, product, SPU, marketing target, advertiser, industry,
    // action detail and domain tables hold models without them: the defaults stand in.
    for (ModelParams.Field f : ModelParams.Field.values()) {
      Key<Integer> rows = integer("rows." + f.key(), p -> p.rows(f), (b, n) -> b.rows(f, n));
      k.add(
          FIELDS_OF_FORMAT_1.contains(f)
              ? rows
              : optional(rows, FieldEmbeddings.Settings.DEFAULT.rows().get(f)));
    }
    // Files written before the search, DSI, TdPE/dPE, STIN and two-tower variants hold models that
    // used these defaults.
    k.add(
        optional(
            integer(
                "attentionDim", p -> p.dare().attentionDim(), ModelParams.Builder::attentionDim),
            DareLayer.Settings.DEFAULT.attentionDim()));
    k.add(
        optional(
            integer(
                "categorySlots", ModelParams::categorySlots, ModelParams.Builder::categorySlots),
            ModelParams.DEFAULT_CATEGORY_SLOTS));
    k.add(
        optional(
            integer("sasrecBlocks", p -> p.sasRec().blocks(), ModelParams.Builder::sasrecBlocks),
            SasRecLayer.Settings.DEFAULT.blocks()));
    // Files written before the collisionless mapping hold hashed models.
    k.add(
        new Key<>(
            "idRows",
            ModelParams::idRows,
            ModelParamsIO::formatIdRows,
            ModelParamsIO::parseIdRows,
            ModelParams.Builder::idRows,
            formatIdRows(IdRowPolicy.HASHED)));
    return List.copyOf(k);
  }

  private static <T> Key<T> key(
      String name,
      Function<ModelParams, T> get,
      Function<String, T> parse,
      BiConsumer<ModelParams.Builder, T> set) {
    return new Key<>(name, get, String::valueOf, parse, set, null);
  }

  private static Key<Integer> integer(
      String name,
      Function<ModelParams, Integer> get,
      BiConsumer<ModelParams.Builder, Integer> set) {
    return key(name, get, Integer::parseInt, set);
  }

  private static Key<Float> real(
      String name, Function<ModelParams, Float> get, BiConsumer<ModelParams.Builder, Float> set) {
    return key(name, get, Float::parseFloat, set);
  }

  private static <T> Key<T> optional(Key<T> key, Object ifAbsent) {
    return new Key<>(
        key.name(), key.get(), key.format(), key.parse(), key.set(), String.valueOf(ifAbsent));
  }

  /** {@code mode,minCount,expiryMs}, e.g. {@code collisionless,1,0}. */
  private static String formatIdRows(IdRowPolicy p) {
    return p.mode().name().toLowerCase(Locale.ROOT) + "," + p.minCount() + "," + p.expiryMs();
  }

  private static IdRowPolicy parseIdRows(String s) {
    String[] parts = s.split(",");
    if (parts.length != 3) {
      throw new IllegalArgumentException("idRows must be mode,minCount,expiryMs, got '" + s + "'");
    }
    return new IdRowPolicy(
        IdRowPolicy.Mode.parse(parts[0]),
        Integer.parseInt(parts[1].trim()),
        Long.parseLong(parts[2].trim()));
  }

  private ModelParamsIO() {}

  public static Properties toProperties(ModelParams p, long modelVersion) {
    Properties props = new Properties();
    props.setProperty("format.version", Integer.toString(FORMAT_VERSION));
    props.setProperty("model.version", Long.toString(modelVersion));
    for (Key<?> k : KEYS) {
      k.write(p, props);
    }
    return props;
  }

  public static ModelParams fromProperties(Properties props) {
    int fmt = Integer.parseInt(props.getProperty("format.version", "0"));
    if (fmt < 1 || fmt > FORMAT_VERSION) {
      throw new IllegalArgumentException("model params format " + fmt + " not supported");
    }
    ModelParams.Builder b = ModelParams.builder();
    for (Key<?> k : KEYS) {
      k.read(props, b);
    }
    return b.build();
  }
}
