// @ts-check
/* global document, location */
// The fixture page's own script: where it thinks it is, and a relative fetch (served by main's handler).
const where = document.getElementById('location');
if (where !== null) where.textContent = location.href;
const fetched = document.getElementById('fetched');
void fetch('./data.json')
  .then((response) => response.json())
  .then((data) => {
    if (fetched !== null) fetched.textContent = String(data.message);
  })
  // Said on the page, not thrown: a test that ends while the fetch is in flight (the app is
  // disposed, the route aborted) must not turn into an unhandled page error; the test that is
  // about the fetch reads #fetched.
  .catch((error) => {
    if (fetched !== null)
      fetched.textContent = `fetch failed: ${error instanceof Error ? error.message : String(error)}`;
  });
