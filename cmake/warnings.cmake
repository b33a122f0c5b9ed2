# Project-wide warnings; third-party headers come from system include dirs and stay quiet.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align
                    -Woverloaded-virtual -Wimplicit-fallthrough
                    # designated initializers leave defaulted members out on purpose
                    -Wno-missing-field-initializers)
if(VOICEFIT_WERROR)
  add_compile_options(-Werror)
endif()
if(VOICEFIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
# Beast's string_view becomes std::string_view, so targets never leak boost::string_view.
add_compile_definitions(BOOST_BEAST_USE_STD_STRING_VIEW BOOST_ASIO_NO_DEPRECATED)
