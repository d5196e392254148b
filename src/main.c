/* main.c: the entry point of both programs. Built twice: `attest` (the GNOME app) and, with
 * -DATTEST_CLI, `attest-cli`. Everything else lives in the core library. */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <locale.h>

#ifdef ATTEST_CLI
#include "cli/attest-cli.h"
#else
#include "app/attest-application.h"
#endif

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

#ifdef ATTEST_CLI
  return attest_cli_run (argc, argv);
#else
  {
    g_autoptr (AttestApplication) app = NULL;

    gst_init (&argc, &argv);
    app = attest_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
  }
#endif
}
