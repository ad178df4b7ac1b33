package io.tinstream.streaming.scoring;

import io.tinstream.schemas.AdRequest;
import io.tinstream.schemas.ItemFields;
import io.tinstream.state.SearchTarget;
import io.tinstream.state.TrajectoryView;
import io.tinstream.training.features.HistorySelector;
import io.tinstream.training.features.RowHistory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * An ad request on its way from the trajectory operator to the micro-batching scorer, with the
 * behaviors its variant selected. Candidates whose selections are identical share one {@link
 * HistoryColumns} (a hierarchical hard search depends only on the target's categories, so many
 * candidates of a request get the same behaviors); each candidate holds the index of its history. A
 * target-independent selection is one history for all. Shipped by {@link ScoringWorkSerializer}.
 */
@TypeInfo(ScoringWorkTypeInfo.Factory.class)
public final class ScoringWork {

  private final AdRequest request;
  private final long arrivedAt;
  private final long producedAt;
  private final int trajectoryLength;
  private final List<HistoryColumns> histories;
  private final int[] historyOfCandidate;

  ScoringWork(
      AdRequest request,
      long arrivedAt,
      long producedAt,
      int trajectoryLength,
      List<HistoryColumns> histories,
      int[] historyOfCandidate) {
    this.request = Objects.requireNonNull(request);
    this.arrivedAt = arrivedAt;
    this.producedAt = producedAt;
    this.trajectoryLength = trajectoryLength;
    this.histories = List.copyOf(histories);
    this.historyOfCandidate = historyOfCandidate;
    if (historyOfCandidate.length != request.getCandidates().size()) {
      throw new IllegalArgumentException(
          historyOfCandidate.length
              + " history indices for "
              + request.getCandidates().size()
              + " candidates");
    }
    for (int h : historyOfCandidate) {
      if (h < 0 || h >= this.histories.size()) {
        throw new IllegalArgumentException("no history " + h + " of " + this.histories.size());
      }
    }
  }

  /**
   * What {@code selector} keeps of {@code past} for each candidate of {@code request} (at the
   * request time), identical selections carried once; one shared history when the selection does
   * not depend on the target.
   */
  public static ScoringWork select(
      AdRequest request,
      HistorySelector selector,
      TrajectoryView past,
      int trajectoryLength,
      long arrivedAt) {
    return select(request, selector, past, trajectoryLength, arrivedAt, arrivedAt);
  }

  /** As above, for a request produced to Kafka at {@code producedAt} (its age counts from then). */
  public static ScoringWork select(
      AdRequest request,
      HistorySelector selector,
      TrajectoryView past,
      int trajectoryLength,
      long arrivedAt,
      long producedAt) {
    int n = request.getCandidates().size();
    int[] historyOf = new int[n];
    if (!selector.dependsOnTarget()) {
      return new ScoringWork(
          request,
          arrivedAt,
          producedAt,
          trajectoryLength,
          List.of(HistoryColumns.selected(past, selector.select(past, null))),
          historyOf);
    }
    long time = request.getRequestTime().toEpochMilli();
    List<HistoryColumns> distinct = new ArrayList<>();
    Map<Selection, Integer> seen = new HashMap<>();
    // A search sees only the target's categories, the request's scenario and time: candidates of
    // one category chain are searched once (a request's candidates share chains often).
    Map<SearchTarget, Integer> searched = new HashMap<>();
    for (int c = 0; c < n; c++) {
      ItemFields candidate = request.getCandidates().get(c);
      SearchTarget target = SearchTarget.of(candidate, request.getScenario(), time);
      Integer known = searched.get(target);
      if (known == null) {
        int[] indices = selector.select(past, target);
        known = seen.get(new Selection(indices));
        if (known == null) {
          known = distinct.size();
          distinct.add(HistoryColumns.selected(past, indices));
          seen.put(new Selection(indices), known);
        }
        searched.put(target, known);
      }
      historyOf[c] = known;
    }
    return new ScoringWork(request, arrivedAt, producedAt, trajectoryLength, distinct, historyOf);
  }

  /**
   * A request past its deadline before its search: every candidate an empty history. The scorer
   * answers it "timed out" (its own deadline check comes first, and the request is older there), so
   * searching and shipping its histories would be work for nothing, which under a backlog is the
   * work that keeps the backlog from draining.
   */
  public static ScoringWork unsearched(
      AdRequest request, long arrivedAt, long producedAt, int trajectoryLength) {
    return new ScoringWork(
        request,
        arrivedAt,
        producedAt,
        trajectoryLength,
        List.of(HistoryColumns.copyOf(RowHistory.EMPTY)),
        new int[request.getCandidates().size()]);
  }

  /** Each candidate its own history (or all the same one), as given. */
  public static ScoringWork of(
      AdRequest request, long arrivedAt, int trajectoryLength, List<? extends RowHistory> each) {
    return of(request, arrivedAt, arrivedAt, trajectoryLength, each);
  }

  /** As above, for a request produced to Kafka at {@code producedAt}. */
  public static ScoringWork of(
      AdRequest request,
      long arrivedAt,
      long producedAt,
      int trajectoryLength,
      List<? extends RowHistory> each) {
    List<HistoryColumns> columns = new ArrayList<>(each.size());
    int[] historyOf = new int[each.size()];
    for (int c = 0; c < each.size(); c++) {
      columns.add(HistoryColumns.copyOf(each.get(c)));
      historyOf[c] = c;
    }
    return new ScoringWork(request, arrivedAt, producedAt, trajectoryLength, columns, historyOf);
  }

  public AdRequest request() {
    return request;
  }

  /** Wall-clock time the trajectory operator handled the request (epoch ms). */
  public long arrivedAt() {
    return arrivedAt;
  }

  /**
   * Wall-clock time the request was produced to Kafka (epoch ms; its record timestamp), from which
   * {@link RequestDeadline} measures its age.
   */
  public long producedAt() {
    return producedAt;
  }

  /** Behaviors held for the user when the request was handled. */
  public int trajectoryLength() {
    return trajectoryLength;
  }

  public int candidates() {
    return historyOfCandidate.length;
  }

  /** The behaviors candidate {@code c} is scored on. */
  public HistoryColumns history(int c) {
    return histories.get(historyOfCandidate[c]);
  }

  /** The distinct histories carried, each once. */
  public List<HistoryColumns> distinctHistories() {
    return histories;
  }

  int historyIndex(int c) {
    return historyOfCandidate[c];
  }

  /** A copy with its own request record; histories are never mutated, so they are shared. */
  ScoringWork withRequest(AdRequest copy) {
    return new ScoringWork(
        copy, arrivedAt, producedAt, trajectoryLength, histories, historyOfCandidate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ScoringWork w
        && request.equals(w.request)
        && arrivedAt == w.arrivedAt
        && producedAt == w.producedAt
        && trajectoryLength == w.trajectoryLength
        && histories.equals(w.histories)
        && Arrays.equals(historyOfCandidate, w.historyOfCandidate);
  }

  @Override
  public int hashCode() {
    return Objects.hash(request, arrivedAt, trajectoryLength, histories);
  }

  @Override
  public String toString() {
    return "ScoringWork{"
        + request.getRequestId()
        + ", "
        + histories.size()
        + " histories for "
        + historyOfCandidate.length
        + " candidates}";
  }

  /** Selected indices as a map key: equal when the same behaviors were selected. */
  private record Selection(int[] indices) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Selection s && Arrays.equals(indices, s.indices);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(indices);
    }
  }
}
