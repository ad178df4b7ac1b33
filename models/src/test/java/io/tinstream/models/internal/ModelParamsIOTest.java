package io.tinstream.models.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.ModelParams;
import io.tinstream.models.embedding.IdRowPolicy;
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
