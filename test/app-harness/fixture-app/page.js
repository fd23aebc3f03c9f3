// @ts-check
/* global document, location */
// The fixture page's own script: where it thinks it is, and a relative fetch (served by main's handler).
const where = document.getElementById('location');
if (where !== null) where.textContent = location.href;
void fetch('./data.json')
  .then((response) => response.json())
  .then((data) => {
    const fetched = document.getElementById('fetched');
    if (fetched !== null) fetched.textContent = String(data.message);
  });
