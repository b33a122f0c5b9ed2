#include "app/cli.hpp"

int main(int argc, char** argv) { return vf::app::RunCli(argc, argv); }
