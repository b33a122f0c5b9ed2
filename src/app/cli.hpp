#pragma once

namespace vf::app {

// `voicefit serve | migrate | version | --help`. Returns the exit code.
int RunCli(int argc, char** argv);

}  // namespace vf::app
