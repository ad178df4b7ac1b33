package io.tinstream.models.internal;

import io.tinstream.models.ModelParams;
import java.util.Arrays;
import java.util.Properties;
import java.util.stream.Collectors;

/** {@link ModelParams} as properties, stored next to a SavedModel so a loader can hash inputs. */
public final class ModelParamsIO {
  /** Bumped when keys change; readers accept every version up to this one. */
  public static final int FORMAT_VERSION = 1;

  private ModelParamsIO() {}

  public static Properties toProperties(ModelParams p, long modelVersion) {
    Properties props = new Properties();
    props.setProperty("format.version", Integer.toString(FORMAT_VERSION));
    props.setProperty("model.version", Long.toString(modelVersion));
    props.setProperty("variant", p.variant());
    props.setProperty("dim", Integer.toString(p.dim()));
    for (ModelParams.Field f : ModelParams.Field.values()) {
      props.setProperty("rows." + f.name().toLowerCase(), Integer.toString(p.rows(f)));
    }
    props.setProperty("maxHistoryLength", Integer.toString(p.maxHistoryLength()));
    props.setProperty("timeBuckets", Integer.toString(p.timeBuckets()));
    props.setProperty("positionBuckets", Integer.toString(p.positionBuckets()));
    props.setProperty(
        "mlpLayers",
        Arrays.stream(p.mlpLayers()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    props.setProperty("learningRate", Float.toString(p.learningRate()));
    props.setProperty("embeddingLearningRate", Float.toString(p.embeddingLearningRate()));
    props.setProperty("seed", Long.toString(p.seed()));
    props.setProperty("projections", Boolean.toString(p.projections()));
    props.setProperty("dinAttentionHidden", Integer.toString(p.dinAttentionHidden()));
    props.setProperty("lreaRank", Integer.toString(p.lreaRank()));
    props.setProperty("lreaLambda", Float.toString(p.lreaLambda()));
    props.setProperty("attentionDim", Integer.toString(p.attentionDim()));
    props.setProperty("categorySlots", Integer.toString(p.categorySlots()));
    props.setProperty("sasrecBlocks", Integer.toString(p.sasrecBlocks()));
    return props;
  }

  public static ModelParams fromProperties(Properties props) {
    int fmt = Integer.parseInt(props.getProperty("format.version", "0"));
    if (fmt < 1 || fmt > FORMAT_VERSION) {
      throw new IllegalArgumentException("model params format " + fmt + " not supported");
    }
    ModelParams.Builder b =
        ModelParams.builder()
            .variant(props.getProperty("variant"))
            .dim(Integer.parseInt(props.getProperty("dim")))
            .maxHistoryLength(Integer.parseInt(props.getProperty("maxHistoryLength")))
            .timeBuckets(Integer.parseInt(props.getProperty("timeBuckets")))
            .positionBuckets(Integer.parseInt(props.getProperty("positionBuckets")))
            .mlpLayers(
                Arrays.stream(props.getProperty("mlpLayers").split(","))
                    .mapToInt(Integer::parseInt)
                    .toArray())
            .learningRate(Float.parseFloat(props.getProperty("learningRate")))
            .embeddingLearningRate(Float.parseFloat(props.getProperty("embeddingLearningRate")))
            .seed(Long.parseLong(props.getProperty("seed")))
            .projections(Boolean.parseBoolean(props.getProperty("projections")))
            .dinAttentionHidden(Integer.parseInt(props.getProperty("dinAttentionHidden")))
            // Absent in files written before LREA: the defaults.
            .lreaRank(
                Integer.parseInt(
                    props.getProperty("lreaRank", Integer.toString(ModelParams.DEFAULT_LREA_RANK))))
            .lreaLambda(
                Float.parseFloat(
                    props.getProperty(
                        "lreaLambda", Float.toString(ModelParams.DEFAULT_LREA_LAMBDA))));
    for (ModelParams.Field f : ModelParams.Field.values()) {
      b.rows(f, Integer.parseInt(props.getProperty("rows." + f.name().toLowerCase())));
    }
    // Issue 5 keys; files written before them hold models that used the defaults.
    b.attentionDim(Integer.parseInt(props.getProperty("attentionDim", "0")));
    b.categorySlots(
        Integer.parseInt(
            props.getProperty(
                "categorySlots", Integer.toString(ModelParams.DEFAULT_CATEGORY_SLOTS))));
    b.sasrecBlocks(
        Integer.parseInt(
            props.getProperty(
                "sasrecBlocks", Integer.toString(ModelParams.DEFAULT_SASREC_BLOCKS))));
    return b.build();
  }
}
