package io.tinstream.training.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tinstream.models.ModelParams;
import io.tinstream.models.layers.InterestLayer.History;
import io.tinstream.schemas.BehaviorSequence;
import io.tinstream.state.Behavior;
import io.tinstream.state.CategoryLevel;
import io.tinstream.state.SearchStage;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.HistorySelector.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HistorySelectorTest {

  /** 40 behaviors, categories cycling through 4, one per second. */
  private static TrajectoryView past() {
    List<Behavior> bs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      bs.add(
          new Behavior(
              i,
              1_000L * (i + 1),
              (byte) 0,
              (byte) 1,
              1,
              0f,
              100 + i,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN,
              i % 4,
              10 + i % 4,
              20 + i % 4,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN,
              Behavior.UNKNOWN));
    }
    return TrajectoryView.of(bs);
  }

  private static final SearchTarget TARGET = new SearchTarget(2, 12, 22, 1, 100_000L);

  @Test
  void eachNeedGetsItsSelection() {
    assertThat(HistorySelector.forNeed(History.DEPLOYMENT_DEFAULT, 8, 32, Kind.SIM_SEARCH))
        .isEqualTo(new HistorySelector(Kind.SIM_SEARCH, 8));
    assertThat(HistorySelector.forNeed(History.LATEST, 8, 32, Kind.SIM_SEARCH))
        .isEqualTo(new HistorySelector(Kind.LATEST, 8));
    assertThat(HistorySelector.forNeed(History.HIERARCHICAL_SEARCH, 8, 32, Kind.LATEST))
        .isEqualTo(new HistorySelector(Kind.HIERARCHICAL_SEARCH, 8));
    assertThat(HistorySelector.forNeed(History.STRATIFIED, 8, 32, Kind.LATEST))
        .isEqualTo(new HistorySelector(Kind.STRATIFIED, 8));
    assertThat(HistorySelector.forNeed(History.FULL, 8, 32, Kind.LATEST))
        .as("the soft search's window, never narrower than its K")
        .isEqualTo(new HistorySelector(Kind.SOFT_SEARCH_WINDOW, 32));
    assertThat(HistorySelector.forNeed(History.FULL, 8, 4, Kind.LATEST).length()).isEqualTo(8);
  }

  @Test
  void selectsWhatTheSearchStageSelects() {
    TrajectoryView past = past();
    assertThat(new HistorySelector(Kind.HIERARCHICAL_SEARCH, 6).select(past, TARGET))
        .containsExactly(SearchStage.hierarchicalHardSearch(past, TARGET, 6));
    assertThat(new HistorySelector(Kind.SIM_SEARCH, 6).select(past, TARGET))
        .containsExactly(SearchStage.simHardSearch(past, TARGET, 6));
    assertThat(new HistorySelector(Kind.STRATIFIED, 6).select(past, TARGET))
        .containsExactly(SearchStage.stratifiedSample(past, 6, CategoryLevel.L1));
    assertThat(new HistorySelector(Kind.SOFT_SEARCH_WINDOW, 6).select(past, TARGET))
        .containsExactly(34, 35, 36, 37, 38, 39);
    assertThat(new HistorySelector(Kind.LATEST, 3).select(past, TARGET))
        .containsExactly(37, 38, 39);
  }

  @Test
  void theSequenceKeepsTruePositions() {
    BehaviorSequence s = new HistorySelector(Kind.SIM_SEARCH, 3).sequence(past(), TARGET);
    assertThat(s.getCategoryL1()).containsExactly(2, 2, 2);
    assertThat(s.getItemIds()).containsExactly(130L, 134L, 138L);
    assertThat(s.getPositions()).containsExactly(10, 6, 2);
  }

  @Test
  void onlyHardSearchesDependOnTheTarget() {
    assertThat(new HistorySelector(Kind.HIERARCHICAL_SEARCH, 1).dependsOnTarget()).isTrue();
    assertThat(new HistorySelector(Kind.SIM_SEARCH, 1).dependsOnTarget()).isTrue();
    assertThat(new HistorySelector(Kind.SOFT_SEARCH_WINDOW, 1).dependsOnTarget()).isFalse();
    assertThat(new HistorySelector(Kind.STRATIFIED, 1).dependsOnTarget()).isFalse();
  }

  @Test
  void parsesConfigurationNames() {
    assertThat(HistorySelector.parse(" Hierarchical ", 64))
        .isEqualTo(new HistorySelector(Kind.HIERARCHICAL_SEARCH, 64));
    assertThat(HistorySelector.parse("soft-search-window", 64).configName())
        .isEqualTo("soft-search-window");
    assertThatThrownBy(() -> HistorySelector.parse("nope", 1)).hasMessageContaining("hierarchical");
  }

  @Test
  void variantsGetTheirOwnSelectionAndExamplesCarryEachOnce() {
    List<ModelParams> params = new ArrayList<>();
    for (String v : List.of("tin", "dare", "twin", "td-sasrec", "lrea", "sim")) {
      params.add(
          ModelParams.builder().variant(v).maxHistoryLength(v.equals("lrea") ? 50 : 8).build());
    }
    VariantHistories h =
        VariantHistories.of(new HistorySelector(Kind.HIERARCHICAL_SEARCH, 8), params, 32);
    assertThat(h.forVariant("tin")).isEqualTo(h.plain());
    assertThat(h.forVariant("")).as("the default variant").isEqualTo(h.plain());
    assertThat(h.forVariant("dare")).isEqualTo(new HistorySelector(Kind.SOFT_SEARCH_WINDOW, 32));
    assertThat(h.forVariant("lrea")).isEqualTo(new HistorySelector(Kind.LATEST, 50));
    assertThat(h.longestLatestSuffix()).isEqualTo(50);
    assertThat(h.otherSelections())
        .containsExactly(
            new HistorySelector(Kind.STRATIFIED, 8), new HistorySelector(Kind.SIM_SEARCH, 8));
  }
}
