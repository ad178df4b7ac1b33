package io.tinstream.models.embedding;

/**
 * Counters of one field's mapping, for metrics.
 *
 * @param admissions ids given a row of their own, since the mapping was created
 * @param refusedFull observations that reached the threshold while every row was taken (one id seen
 *     again while the table is full counts again)
 * @param evictions ids that lost their row by expiry
 * @param liveRows rows held by an id now
 * @param capacity rows an id can hold, {@code rows - 1}
 */
public record MappingCounters(
    long admissions, long refusedFull, long evictions, int liveRows, int capacity) {}
