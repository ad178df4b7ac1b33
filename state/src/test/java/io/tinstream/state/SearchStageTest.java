package io.tinstream.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.tinstream.schemas.ActionType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchStageTest {
  private static final int SCENARIO = 9;

  /** Target: L1 = 1, L2 = 10, L3 = 100, scenario 9. */
  private static final SearchTarget TARGET = new SearchTarget(1, 10, 100, SCENARIO, 10_000);

  /**
   * Index: what it matches.
   *
   * <pre>
   * 0  L3 match (oldest)         5  L2 match
   * 1  nothing                   6  L1 match
   * 2  L2 match                  7  scenario match
   * 3  click, other category     8  L3 match
   * 4  L1 match                  9  nothing (latest)
   * </pre>
   */
  private static final TrajectoryView VIEW =
      view(
          TestBehaviors.at(0).categories(1, 10, 100),
          TestBehaviors.at(1).categories(2, 20, 200),
          TestBehaviors.at(2).categories(1, 10, 101),
          TestBehaviors.at(3).categories(3, 30, 300).action(ActionType.CLICK),
          TestBehaviors.at(4).categories(1, 11, 110),
          TestBehaviors.at(5).categories(1, 10, 102),
          TestBehaviors.at(6).categories(1, 12, 120),
          TestBehaviors.at(7).categories(4, 40, 400).scenario(SCENARIO),
          TestBehaviors.at(8).categories(1, 10, 100),
          TestBehaviors.at(9).categories(5, 50, 500));

  /**
   * A view that starts inside its columns (rows before it are past retention or the cap) searches
   * only its own rows and returns indices relative to itself, like a view of just those rows.
   */
  @Test
  void aViewStartingInsideItsColumnsSearchesOnlyItsRows() {
    List<TestBehaviors.Builder> rows = new ArrayList<>();
    // Two hidden rows that match the target best (L3 and a click in the target's scenario), at
    // the time of the view's first row, before it.
    rows.add(TestBehaviors.at(0).categories(1, 10, 100).action(ActionType.CLICK));
    rows.add(TestBehaviors.at(0).categories(1, 10, 100).scenario(SCENARIO));
    List<Behavior> visible = new ArrayList<>();
    for (int i = 0; i < VIEW.size(); i++) {
      visible.add(VIEW.behavior(i));
    }
    List<Behavior> all = new ArrayList<>();
    for (TestBehaviors.Builder b : rows) {
      all.add(b.build());
    }
    all.addAll(visible);
    TrajectoryView inside = new TrajectoryView(TrajectoryView.of(all).columns(), 2, VIEW.size());

    for (int k = 0; k <= VIEW.size(); k++) {
      assertThat(SearchStage.hierarchicalHardSearch(inside, TARGET, k))
          .isEqualTo(SearchStage.hierarchicalHardSearch(VIEW, TARGET, k));
      assertThat(SearchStage.simHardSearch(inside, TARGET, k))
          .isEqualTo(SearchStage.simHardSearch(VIEW, TARGET, k));
      assertThat(SearchStage.stratifiedSample(inside, k, CategoryLevel.L2))
          .isEqualTo(SearchStage.stratifiedSample(VIEW, k, CategoryLevel.L2));
      assertThat(SearchStage.latestK(inside, k)).isEqualTo(SearchStage.latestK(VIEW, k));
    }
    assertThat(inside.behavior(0)).isEqualTo(VIEW.behavior(0));
    assertThat(inside.prefixBefore(5).size()).isEqualTo(5);
    assertThat(inside.prefixBefore(0).size()).isZero();
  }

  @Test
  void hierarchicalSearchFallsBackFromL3ToL2ToL1ToStrongOrScenarioToLatest() {
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 1)).containsExactly(8);
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 2)).containsExactly(0, 8);
    // L2 adds the most recent L2 match first (5), then 2.
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 3)).containsExactly(0, 5, 8);
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 4)).containsExactly(0, 2, 5, 8);
    // L1 adds 6 then 4.
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 5)).containsExactly(0, 2, 5, 6, 8);
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 6))
        .containsExactly(0, 2, 4, 5, 6, 8);
    // Then the scenario match (7, more recent) before the click (3).
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 7))
        .containsExactly(0, 2, 4, 5, 6, 7, 8);
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 8))
        .containsExactly(0, 2, 3, 4, 5, 6, 7, 8);
    // Finally the latest: 9, then 1.
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 9))
        .containsExactly(0, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 10))
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void hierarchicalSearchUsesTheConfiguredStrongActions() {
    SearchTarget otherScenario = new SearchTarget(1, 10, 100, 0, 10_000);
    TrajectoryView view =
        view(
            TestBehaviors.at(0).categories(2, 20, 200).scenario(1).action(ActionType.LIKE),
            TestBehaviors.at(1).categories(2, 20, 200).scenario(1).action(ActionType.CLICK),
            TestBehaviors.at(2).categories(2, 20, 200).scenario(1));

    assertThat(SearchStage.hierarchicalHardSearch(view, otherScenario, 1)).containsExactly(1);
    Set<ActionType> likes = EnumSet.of(ActionType.LIKE);
    assertThat(SearchStage.hierarchicalHardSearch(view, otherScenario, 1, likes))
        .containsExactly(0);
    assertThat(SearchStage.hierarchicalHardSearch(view, otherScenario, 1, Set.of()))
        .containsExactly(2);
  }

  @Test
  void unknownCategoriesMatchNothing() {
    SearchTarget unknownTarget = new SearchTarget(-1, -1, -1, SCENARIO, 10_000);
    TrajectoryView view =
        view(
            TestBehaviors.at(0).categories(-1, -1, -1),
            TestBehaviors.at(1).categories(1, 10, 100),
            TestBehaviors.at(2).categories(-1, -1, -1));

    // Nothing matches a category: the latest behaviors are taken.
    assertThat(SearchStage.hierarchicalHardSearch(view, unknownTarget, 1)).containsExactly(2);
    assertThat(SearchStage.simHardSearch(view, unknownTarget, 1)).containsExactly(2);
    // A known target does not match unknown behaviors either.
    assertThat(SearchStage.hierarchicalHardSearch(view, TARGET, 1)).containsExactly(1);
  }

  @Test
  void simSearchMatchesOneLevelThenLatest() {
    // Default level L1: 0,2,4,5,6,8 match; the 3 most recent of them.
    assertThat(SearchStage.simHardSearch(VIEW, TARGET, 3)).containsExactly(5, 6, 8);
    assertThat(SearchStage.simHardSearch(VIEW, TARGET, 3, CategoryLevel.L3))
        .containsExactly(0, 8, 9);
    assertThat(SearchStage.simHardSearch(VIEW, TARGET, 4, CategoryLevel.L2))
        .containsExactly(0, 2, 5, 8);
    assertThat(SearchStage.simHardSearch(VIEW, TARGET, 8, CategoryLevel.L2))
        .containsExactly(0, 2, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void latestKTakesTheMostRecent() {
    assertThat(SearchStage.latestK(VIEW, 3)).containsExactly(7, 8, 9);
    assertThat(SearchStage.latestK(VIEW, 0)).isEmpty();
  }

  @Test
  void handlesEmptyTrajectoriesAndKLargerThanTheTrajectory() {
    assertThat(SearchStage.hierarchicalHardSearch(TrajectoryView.EMPTY, TARGET, 5)).isEmpty();
    assertThat(SearchStage.simHardSearch(TrajectoryView.EMPTY, TARGET, 5)).isEmpty();
    assertThat(SearchStage.latestK(TrajectoryView.EMPTY, 5)).isEmpty();
    assertThat(SearchStage.stratifiedSample(TrajectoryView.EMPTY, 5, CategoryLevel.L1)).isEmpty();
    int[] all = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    assertThat(SearchStage.hierarchicalHardSearch(VIEW, TARGET, 100)).containsExactly(all);
    assertThat(SearchStage.simHardSearch(VIEW, TARGET, 100)).containsExactly(all);
    assertThat(SearchStage.latestK(VIEW, 100)).containsExactly(all);
    assertThat(SearchStage.stratifiedSample(VIEW, 100, CategoryLevel.L3)).containsExactly(all);
  }

  @Test
  void searchesOnlyThePastOfAPrefix() {
    TrajectoryView past = VIEW.prefixBefore(8);
    assertThat(past.size()).isEqualTo(8);
    assertThat(SearchStage.hierarchicalHardSearch(past, TARGET, 1)).containsExactly(0);
  }

  @Test
  void stratifiedSamplingSharesEquallyAndGivesTheRestToTheLargestStrata() {
    // Category A (1): 6 behaviors, B (2): 3, C (3): 1, interleaved in time.
    List<TestBehaviors.Builder> behaviors = new ArrayList<>();
    int[] categories = {1, 2, 1, 3, 1, 2, 1, 1, 2, 1};
    for (int i = 0; i < categories.length; i++) {
      behaviors.add(TestBehaviors.at(i).categories(categories[i], -1, -1));
    }
    TrajectoryView view = view(behaviors.toArray(TestBehaviors.Builder[]::new));

    // k = 3: one each, the most recent of A (9), B (8) and C (3).
    assertThat(SearchStage.stratifiedSample(view, 3, CategoryLevel.L1)).containsExactly(3, 8, 9);
    // k = 5: C takes its 1; 4 left for A and B: 2 each.
    assertThat(SearchStage.stratifiedSample(view, 5, CategoryLevel.L1))
        .containsExactly(3, 5, 7, 8, 9);
    // k = 6: C 1, then 5 for A and B: 2 each and the odd one to the largest (A).
    assertThat(SearchStage.stratifiedSample(view, 6, CategoryLevel.L1))
        .containsExactly(3, 5, 6, 7, 8, 9);
    // k = 2 with 3 strata: the two largest, A and B.
    assertThat(SearchStage.stratifiedSample(view, 2, CategoryLevel.L1)).containsExactly(8, 9);
    // k = 8: C 1, B 3 (all), A 4.
    assertThat(SearchStage.stratifiedSample(view, 8, CategoryLevel.L1))
        .containsExactly(1, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void stratifiedSamplingBreaksSizeTiesByRecencyAndUsesUnknownsLast() {
    TrajectoryView view =
        view(
            TestBehaviors.at(0).categories(1, -1, -1),
            TestBehaviors.at(1).categories(2, -1, -1),
            TestBehaviors.at(2).categories(-1, -1, -1),
            TestBehaviors.at(3).categories(-1, -1, -1));

    // Equal strata: the one whose latest behavior is more recent (category 2) wins the one slot.
    assertThat(SearchStage.stratifiedSample(view, 1, CategoryLevel.L1)).containsExactly(1);
    // Unknowns only fill what the known strata cannot.
    assertThat(SearchStage.stratifiedSample(view, 2, CategoryLevel.L1)).containsExactly(0, 1);
    assertThat(SearchStage.stratifiedSample(view, 3, CategoryLevel.L1)).containsExactly(0, 1, 3);
  }

  @Test
  void everySearchIsDeterministicChronologicalAndWithoutDuplicates() {
    TrajectoryView view =
        TrajectoryView.of(RealisticChunks.withCatalogueIds(2000, 300, 5).behaviors());
    SearchTarget target =
        new SearchTarget(view.categoryL1(17), view.categoryL2(17), view.categoryL3(17), 2, 0);
    for (int k : new int[] {1, 50, 200, 5000}) {
      List<int[]> results =
          List.of(
              SearchStage.hierarchicalHardSearch(view, target, k),
              SearchStage.simHardSearch(view, target, k),
              SearchStage.stratifiedSample(view, k, CategoryLevel.L2),
              SearchStage.latestK(view, k));
      for (int[] result : results) {
        assertThat(result).hasSize(Math.min(k, view.size())).isSorted().doesNotHaveDuplicates();
      }
      assertThat(SearchStage.hierarchicalHardSearch(view, target, k)).isEqualTo(results.get(0));
      assertThat(SearchStage.stratifiedSample(view, k, CategoryLevel.L2)).isEqualTo(results.get(2));
    }
  }

  @Test
  void stratifiedSamplingCoversEveryCategoryWhenKAllows() {
    TrajectoryView view =
        TrajectoryView.of(RealisticChunks.withCatalogueIds(2000, 300, 6).behaviors());
    int[] sample = SearchStage.stratifiedSample(view, 500, CategoryLevel.L1);
    long categoriesInView =
        java.util.stream.IntStream.range(0, view.size()).map(view::categoryL1).distinct().count();
    long categoriesInSample =
        java.util.Arrays.stream(sample).map(view::categoryL1).distinct().count();
    assertThat(categoriesInView).isLessThan(500);
    assertThat(categoriesInSample).isEqualTo(categoriesInView);
  }

  private static TrajectoryView view(TestBehaviors.Builder... builders) {
    List<Behavior> behaviors = new ArrayList<>();
    for (TestBehaviors.Builder builder : builders) {
      behaviors.add(builder.build());
    }
    return TrajectoryView.of(behaviors);
  }
}
