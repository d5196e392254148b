/* attest-matches.h: reading confirmed matches back (for the export, the audit page and tests).
 *
 * Read-only: matches are written by attest_store_confirm_review_item() alone (attest-review.h).
 * Each record carries everything an evidence export needs: who was matched, in which source
 * (URI and content hash), when and where in the frame, on what score / threshold / model, who
 * decided, when and why, the probe crop the reviewer saw (from the match's review item) and the
 * matched gallery face's thumbnail. */
#pragma once

#include "attest-store.h"

G_BEGIN_DECLS

/* Which matches to list. Every set field narrows the selection (AND). Only read. */
typedef struct
{
  const char   *source_sha256;    /* NULL: every source */
  gint64        from_ms;          /* -1: from the start; else source_ms >= from_ms */
  gint64        to_ms;            /* -1: to the end; else source_ms <= to_ms (inclusive) */
  const gint64 *match_ids;        /* NULL: any match; else only these ids */
  guint         n_match_ids;
  gboolean      include_revoked;  /* FALSE: matches undone by an "undo" are left out */
} AttestMatchFilter;

#define ATTEST_MATCH_FILTER_INIT { NULL, -1, -1, NULL, 0, FALSE }

/* One match read back; owns everything (attest_match_record_free). */
typedef struct
{
  gint64  id;
  gint64  identity_id;
  char   *identity_name;
  gint64  face_id;          /* the gallery face that scored best, -1: unknown / deleted */
  gint64  source_id;
  char   *source_uri;       /* may be NULL */
  char   *source_sha256;
  gint64  source_ms;
  gint64  frame;            /* -1: unknown */
  gint64  track;            /* -1: none */
  double  box_x;            /* the probe box, pixels of that frame */
  double  box_y;
  double  box_w;
  double  box_h;
  double  score;
  double  threshold;
  char   *model_id;
  char   *reviewer;
  gint64  decided_at;       /* UTC microseconds */
  char   *rationale;        /* may be NULL */
  gint64  audit_id;         /* the "confirm" entry, -1: none */
  gint64  review_item_id;   /* -1: none */
  gint64  revoked_at;       /* UTC microseconds, 0: standing */
  gint64  revoked_audit_id; /* the "undo" entry, -1: none */
  GBytes *probe_png;        /* the review item's probe crop, NULL: none stored */
  GBytes *gallery_png;      /* the matched face's thumbnail, else the identity's first one */
  char   *confirmed_name;   /* the identity's name when the reviewer confirmed it (from the
                             * confirm entry), identity_name when that does not say */
  gint64  confirmed_identity_id; /* the identity confirmed (a merge may have moved the match) */
} AttestMatchRecord;

/* A source with confirmed (standing) matches. */
typedef struct
{
  gint64  id;
  char   *uri;              /* may be NULL */
  char   *sha256;
  guint   n_matches;
  gint64  first_ms;
  gint64  last_ms;
} AttestMatchSource;

/* A match that does not say what its "confirm" entry in the audit log says. */
typedef struct
{
  gint64  match_id;
  gint64  audit_id;         /* the entry the match names, -1: none */
  char   *differs;          /* what differs, comma-separated: "identity", "reviewer",
                             * "rationale", "score", "threshold", "model", "source", "time",
                             * "review item"; or "no confirmation" */
  char   *message;          /* a sentence for the user */
} AttestMatchProblem;

void        attest_match_problem_free              (AttestMatchProblem      *problem);

void        attest_match_record_free               (AttestMatchRecord       *record);
void        attest_match_source_free               (AttestMatchSource       *source);

/* Matches selected by filter (NULL: every standing match), in id order; element type
 * AttestMatchRecord*. NULL with error on failure; an empty array when nothing is selected. */
GPtrArray  *attest_store_list_matches              (AttestStore             *self,
                                                    const AttestMatchFilter *filter,
                                                    GError                 **error);
/* Checks every match (standing or undone) against the "confirm" entry it names: the identity
 * as confirmed, reviewer, rationale, score, threshold, model, source hash and position, time
 * and review item must be what the entry says. The entry itself is held by the audit chain
 * (attest_store_verify_audit): together they bind a match to its decision, so a match edited
 * in the database file is caught. Returns the problems, in match id order (an empty array: every
 * match is bound to its decision); NULL with error when the database cannot be read.
 * *n_checked (may be NULL): how many matches were checked. */
GPtrArray  *attest_store_verify_matches            (AttestStore             *self,
                                                    guint                   *n_checked,
                                                    GError                 **error);
/* Sources that have standing matches, in source id order; element type AttestMatchSource*. */
GPtrArray  *attest_store_list_sources_with_matches (AttestStore             *self,
                                                    GError                 **error);
/* The same on the store's writer thread, for the UI. */
void        attest_store_list_sources_with_matches_async  (AttestStore          *self,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
GPtrArray  *attest_store_list_sources_with_matches_finish (AttestStore          *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestMatchRecord, attest_match_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestMatchProblem, attest_match_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestMatchSource, attest_match_source_free)

G_END_DECLS
