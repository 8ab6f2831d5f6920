/* The smallest C extension module: metaseal only checks the metadata of what gets built. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static struct PyModuleDef core = {PyModuleDef_HEAD_INIT, "_core", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__core(void) { return PyModule_Create(&core); }
