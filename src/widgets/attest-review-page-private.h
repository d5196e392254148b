/* attest-review-page-private.h: shared by attest-review-page.c (what the page shows) and
 * attest-review-page-queue.c (what it reads and writes), and what tests read. */
#pragma once

#include <adwaita.h>

#include "review/attest-scanner.h"
#include "attest-review-page.h"

G_BEGIN_DECLS

struct _AttestReviewPage
{
  GtkBox             parent_instance;

  /* template */
  GtkRevealer       *scan_revealer;
  GtkLabel          *scan_label;
  GtkProgressBar    *scan_progress;
  GtkStack          *page_stack;
  GtkWidget         *empty_scan_button;
  GtkLabel          *count_label;
  GtkWidget         *scan_button;
  GtkListBox        *queue_list;
  GtkStack          *detail_stack;
  AdwStatusPage     *done_page;
  AttestReviewPanel *panel;

  /* what is shown */
  GPtrArray         *items;          /* the queue as shown, AttestReviewItem* */
  GPtrArray         *status_labels;  /* GtkLabel per row (borrowed) */
  gint64             current;        /* the item in the panel, -1: none */
  gboolean           selecting;
  guint              n_pending;

  /* attest-review-page-queue.c */
  AttestStore       *store;
  AttestVision      *vision;         /* not owned */
  AttestMatcher     *matcher;
  GHashTable        *identity_names;
  double             match_threshold;
  gboolean           disposed;
  gint64             want;           /* show this item after the next reload (-1: the next pending) */
  GCancellable      *cancellable;    /* reads; cancelled on dispose */
  guint              generation;     /* drops answers to reads that were superseded */
  GHashTable        *source_states;  /* "uri\nsha256" -> AttestReviewSourceState (checked contents) */
  GPtrArray         *undo_texts;     /* what each decision of this session was, newest last */
  GArray            *undo_items;     /* ... and its item */
  guint              reload_idle;    /* a coalesced reload of the queue is due */
  AttestScanner     *scanner;        /* the scan running, or NULL */
  GCancellable      *scan_cancellable;
  GFile             *scan_file;
  char              *scan_name;
  guint              scan_added;
  GQueue             scan_queue;     /* files to scan after this one (GFile*) */
};

/* attest-review-page.c: what the page shows. */
void _attest_review_page_show_items       (AttestReviewPage *self,
                                           GPtrArray        *items);
void _attest_review_page_show_current     (AttestReviewPage *self,
                                           gint64            item_id);
void _attest_review_page_show_scan        (AttestReviewPage *self,
                                           const char       *label,
                                           double            fraction);
void _attest_review_page_set_n_pending    (AttestReviewPage *self,
                                           guint             n_pending);
void _attest_review_page_scanning_changed (AttestReviewPage *self);

/* attest-review-page-queue.c: reading, deciding, scanning. */
void _attest_review_page_init_queue       (AttestReviewPage *self);
void _attest_review_page_dispose_queue    (AttestReviewPage *self);
void _attest_review_page_item_activated   (AttestReviewPage *self,
                                           gint64            item_id);
void _attest_review_page_cancel_scan      (AttestReviewPage *self);

/* For tests: the title of the page shown when nothing is pending ("All Faces Reviewed", or
 * how many faces are set aside), and the queue's count above the list. */
const char *_attest_review_page_get_done_title (AttestReviewPage *self);
const char *_attest_review_page_get_count_text (AttestReviewPage *self);

G_END_DECLS
