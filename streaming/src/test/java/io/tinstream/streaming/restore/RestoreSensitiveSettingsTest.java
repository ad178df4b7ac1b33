package io.tinstream.streaming.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.streaming.ModelSpecs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a restore must keep, and how a change is worded. */
class RestoreSensitiveSettingsTest {

  @Test
  void theLreaShapeAndEveryVariantsDimensionsAreRecordedAndSurviveTheirStoredForm() {
    RestoreSensitiveSettings settings =
        RestoreSensitiveSettings.of(ModelSpecs.of(List.of("tin", "lrea"), 64, 8, 4, 1));

    assertThat(settings.values())
        .containsEntry("tinstream.lrea.rank (variant lrea)", "4")
        .containsEntry("tinstream.lrea.max-length (variant lrea)", "8")
        .containsKeys("model dimensions of variant tin", "model dimensions of variant lrea");
    assertThat(RestoreSensitiveSettings.decode(settings.encode())).isEqualTo(settings);
    assertThat(RestoreSensitiveSettings.of(null).values()).isEmpty();
  }

  @Test
  void aChangeNamesTheSettingWithBothValuesWhileAddedOrDroppedVariantsAreNoChange() {
    RestoreSensitiveSettings before =
        RestoreSensitiveSettings.of(ModelSpecs.of(List.of("tin", "lrea"), 64, 8, 4, 1));

    assertThat(
            RestoreSensitiveSettings.of(ModelSpecs.of(List.of("tin", "lrea"), 64, 8, 16, 1))
                .changesFrom(before))
        .containsExactly("tinstream.lrea.rank (variant lrea) changed from 4 to 16");
    // Search K, the seed and the variant set do not shape restored weights.
    assertThat(
            RestoreSensitiveSettings.of(ModelSpecs.of(List.of("tin", "din"), 16, 8, 4, 7))
                .changesFrom(before))
        .isEmpty();
  }

  @Test
  void stateRecordedBeforeTheSideInfoTablesRestoresWithoutAChange() {
    RestoreSensitiveSettings now =
        RestoreSensitiveSettings.of(ModelSpecs.of(List.of("tin"), 64, 8, 4, 1));
    assertThat(now.values().get("side-info table rows of variant tin"))
        .contains("creative=", "advertiser=", "action_detail=", "domain=");
    // What a job recorded before: the dimensions (of the first six tables) alone.
    RestoreSensitiveSettings recorded =
        RestoreSensitiveSettings.decode(
            now.encode().stream().filter(line -> !line.startsWith("side-info")).toList());

    assertThat(now.changesFrom(recorded)).isEmpty();
    assertThat(now.values().get("model dimensions of variant tin"))
        .contains("scenario=")
        .doesNotContain("creative");
  }
}
