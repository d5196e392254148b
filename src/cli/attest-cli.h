/* attest-cli.h: the command-line program's verbs, in the core library so tests call them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int attest_cli_run (int argc, char **argv);

G_END_DECLS
