package io.tinstream.models.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.ModelParams;
import io.tinstream.models.embedding.IdRowPolicy;
import io.tinstream.models.layers.FieldEmbeddings;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ModelParamsIOTest {
  private static ModelParams nonDefault() {
    return ModelParams.builder()
        .variant("dare-half")
        .dim(8)
        .rows(ModelParams.Field.ITEM, 99)
        .rows(ModelParams.Field.SCENARIO, 7)
        .maxHistoryLength(12)
        .timeBuckets(9)
        .positionBuckets(13)
        .mlpLayers(5, 3, 2)
        .learningRate(0.25f)
        .embeddingLearningRate(0.125f)
        .seed(42)
        .projections(true)
        .dinAttentionHidden(11)
        .lreaRank(6)
        .lreaLambda(0.5f)
        .attentionDim(3)
        .categorySlots(4)
        .sasrecBlocks(3)
        .idRows(new IdRowPolicy(IdRowPolicy.Mode.COLLISIONLESS, 3, 60_000L))
        .build();
  }

  @Test
  void everyStoredKeySurvivesARoundTrip() {
    Properties props = ModelParamsIO.toProperties(nonDefault(), 17);
    assertThat(props.getProperty("model.version")).isEqualTo("17");
    assertThat(props.getProperty("rows.item")).isEqualTo("99");
    assertThat(props.getProperty("mlpLayers")).isEqualTo("5,3,2");
    ModelParams back = ModelParamsIO.fromProperties(props);
    assertThat(ModelParamsIO.toProperties(back, 17)).isEqualTo(props);
    assertThat(back.toString()).isEqualTo(nonDefault().toString());
  }

  @Test
  void keysAddedAfterTheFirstFormatDefaultWhenAbsent() {
    Properties props = ModelParamsIO.toProperties(nonDefault(), 1);
    for (String k :
        new String[] {
          "lreaRank", "lreaLambda", "attentionDim", "categorySlots", "sasrecBlocks", "idRows"
        }) {
      props.remove(k);
    }
    ModelParams p = ModelParamsIO.fromProperties(props);
    ModelParams defaults = ModelParams.builder().build();
    assertThat(p.lrea()).isEqualTo(defaults.lrea());
    assertThat(p.dare()).isEqualTo(defaults.dare());
    assertThat(p.sasRec()).isEqualTo(defaults.sasRec());
    assertThat(p.categorySlots()).isEqualTo(defaults.categorySlots());
    // Models stored before the collisionless mapping hashed their ids.
    assertThat(p.idRows()).isEqualTo(IdRowPolicy.HASHED);
  }

  @Test
  void rowsOfFieldsAddedLaterDefaultWhenAbsentAndSurviveWhenSet() {
    ModelParams set = nonDefault().toBuilder().rows(ModelParams.Field.ADVERTISER, 77).build();
    Properties props = ModelParamsIO.toProperties(set, 1);
    assertThat(props.getProperty("rows.advertiser")).isEqualTo("77");
    assertThat(ModelParamsIO.fromProperties(props).rows(ModelParams.Field.ADVERTISER))
        .isEqualTo(77);
    List<ModelParams.Field> later =
        List.of(
            ModelParams.Field.CREATIVE,
            ModelParams.Field.PRODUCT,
            ModelParams.Field.SPU,
            ModelParams.Field.MARKETING_TARGET,
            ModelParams.Field.ADVERTISER,
            ModelParams.Field.INDUSTRY,
            ModelParams.Field.ACTION_DETAIL,
            ModelParams.Field.DOMAIN);
    for (ModelParams.Field f : later) {
      props.remove("rows." + f.key());
    }
    ModelParams p = ModelParamsIO.fromProperties(props);
    for (ModelParams.Field f : ModelParams.Field.values()) {
      assertThat(p.rows(f))
          .as("rows of %s", f)
          .isEqualTo(
              later.contains(f)
                  ? FieldEmbeddings.Settings.DEFAULT.rows().get(f)
                  : nonDefault().rows(f));
    }
    props.remove("rows.cat2");
    assertThatThrownBy(() -> ModelParamsIO.fromProperties(props))
        .isInstanceOf(NumberFormatException.class);
  }

  @Test
  void requiredKeysAndUnknownFormatsAreRejected() {
    Properties props = ModelParamsIO.toProperties(nonDefault(), 1);
    props.remove("dim");
    assertThatThrownBy(() -> ModelParamsIO.fromProperties(props))
        .isInstanceOf(NumberFormatException.class);
    Properties newer = ModelParamsIO.toProperties(nonDefault(), 1);
    newer.setProperty("format.version", Integer.toString(ModelParamsIO.FORMAT_VERSION + 1));
    assertThatThrownBy(() -> ModelParamsIO.fromProperties(newer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not supported");
  }
}
