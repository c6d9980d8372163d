#include "cli/app.h"

int main(int argc, char** argv) { return usaged::cli::Main(argc, argv); }
